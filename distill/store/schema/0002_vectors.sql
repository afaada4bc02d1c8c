-- Embeddings computed once at ingest: kind 'article' (ordinal 0) or 'section' (ordinal n).
-- Vectors are little-endian float32 blobs of `dimensions` values, unit length.
CREATE TABLE vectors (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('article', 'section')),
    ordinal     INTEGER NOT NULL,
    heading     TEXT NOT NULL DEFAULT '',
    block       INTEGER NOT NULL DEFAULT 0,
    model       TEXT NOT NULL,
    dimensions  INTEGER NOT NULL,
    vector      BLOB NOT NULL,
    PRIMARY KEY (article_id, kind, ordinal)
);
CREATE INDEX vectors_kind ON vectors(kind, article_id);
