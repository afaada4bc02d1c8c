"""Two workers' schedulers and a feed check finishing at the same time: one fetch, not two.

Seen under load (tests/test_cluster_load.py on PostgreSQL, once): a scheduler read a feed as
due, the worker checking that feed then wrote its next check and finished its job, and the
scheduler queued a second fetch-feed job, since none was queued or running any more. The
scheduler now reads and queues in one transaction that skips a feed whose row another
session is updating. PostgreSQL only: on SQLite the scheduler's write transaction waits for
every other writer, so the two can never interleave.
"""

from __future__ import annotations

from pathlib import Path

from distill.config import load_settings
from distill.feeds.tasks import enqueue_due_feeds
from distill.jobs import FETCH_FEED
from distill.store.postgres import PostgresStore
from tests.pg_server import PgServer

HOUR = 3600.0


def test_a_feed_whose_check_is_being_recorded_is_not_queued_again(
    pg_server: PgServer, tmp_path: Path
) -> None:
    url = pg_server.new_database()
    checker, scheduler = PostgresStore(url), PostgresStore(url)
    settings = load_settings(tmp_path / "library")
    try:
        feed_id, _ = checker.feeds.add_feed(
            "https://blog.example.org/feed.xml", "Blog", "", HOUR, now=1000.0
        )
        with checker.transaction():  # the checking worker writes its outcome...
            checker.feeds.record_check(
                feed_id, now=1001.0, next_check=1001.0 + HOUR, status="200", new=0
            )
            # ...while another worker's scheduler runs: the feed is being checked.
            assert enqueue_due_feeds(scheduler, settings, now=1002.0) == 0
        assert enqueue_due_feeds(scheduler, settings, now=1002.0) == 0  # checked: not due
        jobs = scheduler.conn.execute("SELECT count(*) FROM jobs WHERE kind = ?", (FETCH_FEED,))
        assert jobs.fetchone()[0] == 0
        # An hour later it is due again, and queued once however often schedulers run.
        assert enqueue_due_feeds(scheduler, settings, now=1001.0 + HOUR) == 1
        assert enqueue_due_feeds(checker, settings, now=1001.0 + HOUR) == 0
    finally:
        checker.close()
        scheduler.close()
        pg_server.drop_database(url)
