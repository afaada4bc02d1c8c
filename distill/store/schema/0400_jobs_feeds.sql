-- The jobs table is the queue. Times are Unix seconds (REAL) so due/lease comparisons are
-- plain numeric comparisons. A job is queued -> running (leased) -> done | failed; a
-- running job whose lease expired is claimable again (its worker died).
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL DEFAULT '{}',
    key           TEXT,
    host          TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'failed')),
    priority      INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 5,
    run_at        REAL NOT NULL,
    lease_owner   TEXT,
    lease_expires REAL,
    last_error    TEXT NOT NULL DEFAULT '',
    result        TEXT NOT NULL DEFAULT '',
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL
);
-- At most one unfinished job per key (one fetch per feed, one ingest per URL).
CREATE UNIQUE INDEX jobs_active_key ON jobs(key) WHERE key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX jobs_due ON jobs(state, run_at, priority);
CREATE INDEX jobs_lease ON jobs(state, lease_expires);

CREATE TABLE feeds (
    id             INTEGER PRIMARY KEY,
    url            TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL DEFAULT '',
    site_url       TEXT NOT NULL DEFAULT '',
    etag           TEXT NOT NULL DEFAULT '',
    last_modified  TEXT NOT NULL DEFAULT '',
    interval_s     REAL NOT NULL,
    last_checked   REAL,
    next_check     REAL NOT NULL,
    last_status    TEXT NOT NULL DEFAULT '',
    last_new       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    error_count    INTEGER NOT NULL DEFAULT 0,
    created_at     REAL NOT NULL
);
CREATE INDEX feeds_next_check ON feeds(next_check);

-- Every entry a feed has shown us, so an entry is taken once. state: queued (an ingest
-- job exists), skipped (older than the first-check cap), added, duplicate, failed.
CREATE TABLE feed_entries (
    id          INTEGER PRIMARY KEY,
    feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid        TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    published   TEXT NOT NULL DEFAULT '',
    content     TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'queued',
    article_id  INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    error       TEXT NOT NULL DEFAULT '',
    created_at  REAL NOT NULL,
    UNIQUE (feed_id, guid)
);
CREATE INDEX feed_entries_article ON feed_entries(article_id);
