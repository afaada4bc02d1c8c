-- Articles and their summaries. Blocks are kept as JSON so provenance spans stay valid.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    url           TEXT NOT NULL DEFAULT '',
    canonical_url TEXT,
    title         TEXT NOT NULL,
    authors       TEXT NOT NULL DEFAULT '[]',
    published     TEXT NOT NULL DEFAULT '',
    site          TEXT NOT NULL DEFAULT '',
    language      TEXT NOT NULL DEFAULT '',
    source_tags   TEXT NOT NULL DEFAULT '[]',
    description   TEXT NOT NULL DEFAULT '',
    blocks        TEXT NOT NULL,
    body          TEXT NOT NULL,
    word_count    INTEGER NOT NULL,
    content_hash  TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX articles_canonical_url ON articles(canonical_url) WHERE canonical_url <> '';
CREATE UNIQUE INDEX articles_content_hash ON articles(content_hash);
CREATE INDEX articles_published ON articles(published DESC, id DESC);
CREATE INDEX articles_site ON articles(site);

CREATE TABLE summaries (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    backend     TEXT NOT NULL,
    version     TEXT NOT NULL,
    sections    TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
