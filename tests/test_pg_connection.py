"""Losing the PostgreSQL connection: the server stops and starts again under an open store.

The statement that meets the dead session fails (its caller's job is retried by the queue);
a transaction it was in leaves nothing behind; the next statement opens a new session. The
test has its own server, so stopping it disturbs no other test. PostgreSQL only: a SQLite
library has no connection to lose.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from distill.store.postgres import PostgresStore
from tests.pg_server import PgServer, running_server


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    with running_server() as server:
        yield server


def restart(server: PgServer) -> None:
    server.stop()
    assert server._launch(), server.log.read_text()[-2000:]


def test_store_reconnects_after_the_server_restarts_and_nothing_is_half_written(
    own_server: PgServer,
) -> None:
    store = PostgresStore(own_server.new_database())
    try:
        store.jobs.insert_job("noop", {}, 1.0, key="before")
        restart(own_server)
        with pytest.raises(psycopg.OperationalError):
            store.jobs.counts()  # this statement met the dead session
        assert store.jobs.counts() == {"queued": 1}  # the next one has a new session

        with pytest.raises(psycopg.OperationalError), store.transaction():
            store.jobs.insert_job("noop", {}, 1.0, key="half")
            restart(own_server)
            store.jobs.insert_job("noop", {}, 1.0, key="never")
        assert store.jobs.counts() == {"queued": 1}  # the interrupted transaction left nothing
        assert store.jobs.insert_job("noop", {}, 1.0, key="after") is not None
        assert store.jobs.counts() == {"queued": 2}
    finally:
        store.close()
