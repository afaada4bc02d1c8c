-- The web's own state: starred articles, API tokens, views for "most read" and trending.
CREATE TABLE stars (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Tokens are stored as SHA-256 of a 256-bit random secret; the secret itself is shown once.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_used_at  TEXT
);

-- One row per article, visitor and day: the primary key is what makes a view count once.
-- `visitor` is a keyed hash of the client, never the address itself.
CREATE TABLE article_visits (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    visitor     TEXT NOT NULL,
    PRIMARY KEY (article_id, day, visitor)
) WITHOUT ROWID;
CREATE INDEX article_visits_day ON article_visits(day, article_id);

-- Running totals so "most read" sorting does not count visits per request.
CREATE TABLE article_reads (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    views       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX article_reads_views ON article_reads(views DESC, article_id DESC);

-- A secret per library for CSRF tokens and visitor hashes, made once.
CREATE TABLE web_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
