"""`distill migrate-db`: a SQLite library copied into PostgreSQL and back, verified, and an
interrupted copy finished by running it again. The pair of engines is the subject here, so
this test runs once, not per engine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.models import DocumentVectors
from distill.search.engine import search
from distill.store import open_store
from distill.store.copy import TABLES, library_checksum
from tests.pg_server import PgServer

from .web_support import build_library


def migrate(home: Path, to: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["--home", str(home), "migrate-db", "--to", to, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_copy_to_postgresql_and_back_verified_and_resumable(
    home: Path, tmp_path: Path, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = build_library(home, count=6)
    source = open_store(home)
    rng = np.random.default_rng(7)
    with source.transaction():
        for article_id in ids:
            v = rng.normal(size=384).astype(np.float32)
            section = rng.normal(size=384).astype(np.float32)
            vectors = DocumentVectors(article=v / np.linalg.norm(v), sections=[("S", 0, section)])
            source.write_vectors(article_id, vectors, "test-model")
        source.labels.set_user_category(ids[0], "databases")
        source.web.set_starred(ids[1], True)
    source.jobs.insert_job("noop", {}, 1.0, key="k")
    title = source.get_article(ids[2]).document.title
    checksum = library_checksum(source)
    url = pg_server.new_database()

    first = migrate(home, url)
    assert first["copied"]["articles"] == 6 and first["checksum"] == checksum
    target = open_store(home, url)
    try:
        assert ids[2] in [h.id for h in search(target, title, mode="text").results]
        assert target.search.index_state().in_step
        nearest = target.search.nearest_articles(source.article_vector(ids[3]), 1)  # type: ignore[arg-type]
        assert nearest[0][0] == ids[3]
        # An interrupted copy: part of what arrived is gone again. Running it again finishes.
        target.conn.execute("DELETE FROM articles WHERE id IN (?, ?)", (ids[4], ids[5]))
        again = migrate(home, url)
        assert again["copied"]["articles"] == 2 and again["checksum"] == checksum
        # New rows on the target take ids after the copied ones.
        assert target.jobs.insert_job("noop", {}, 1.0) not in (None, 1)
    finally:
        target.close()

    # And back: the PostgreSQL library into a fresh SQLite library folder.
    back_home = tmp_path / "back"
    monkeypatch.setenv("DISTILL_DATABASE_URL", url)  # --database sets it; undone after the test
    result = CliRunner().invoke(
        main, ["--database", url, "migrate-db", "--to", str(back_home), "--json"]
    )
    assert result.exit_code == 0, result.output
    back = open_store(back_home)
    try:
        assert library_checksum(back) == checksum
        for table in TABLES:
            if table != "jobs":  # the target gained one job above
                count = f"SELECT count(*) FROM {table}"
                assert (
                    back.conn.execute(count).fetchone()[0]
                    == source.conn.execute(count).fetchone()[0]
                )
        assert ids[2] in [h.id for h in search(back, title, mode="text").results]
    finally:
        back.close()
        source.close()


def test_serve_and_worker_refuse_an_unmigrated_database_until_distill_migrate(
    tmp_path: Path, pg_server: PgServer
) -> None:
    """A shared database is migrated by one deliberate command, not by whichever worker of a
    new version starts first; until then serve and worker say which command to run."""
    import psycopg

    name = "empty_" + tmp_path.name.lower().replace("-", "_")[-20:]
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = pg_server.url(name)
    base = ["--home", str(tmp_path / "lib")]
    try:
        # The setting through the runner's environment (restored afterwards), not --database,
        # which sets it for the whole process so that serve's worker child inherits it.
        runner = CliRunner(env={"DISTILL_DATABASE_URL": url})
        refused = runner.invoke(main, [*base, "worker", "--until-idle"])
        assert refused.exit_code == 1
        assert "unapplied migration step" in refused.output
        assert "distill migrate" in refused.output
        served = runner.invoke(main, [*base, "serve", "--port", "1"])
        assert served.exit_code == 1 and "distill migrate" in served.output

        applied = runner.invoke(main, [*base, "migrate", "--json"])
        assert applied.exit_code == 0, applied.output
        steps = json.loads(applied.stdout)["applied"]
        assert steps and steps == sorted(steps)
        again = runner.invoke(main, [*base, "migrate", "--json"])
        assert json.loads(again.stdout) == {"engine": "postgresql", "applied": []}
        ran = runner.invoke(main, [*base, "worker", "--until-idle", "--json"])
        assert ran.exit_code == 0, ran.output
    finally:
        pg_server.drop_database(url)
