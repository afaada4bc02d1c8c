-- Categories and tags (issue 4). `origin` is 'auto' (set by classification) or 'user' (set
-- by `distill categorize` / `distill tags`); automatic passes never change a 'user' row.
CREATE TABLE article_categories (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    confidence  REAL NOT NULL DEFAULT 0,
    origin      TEXT NOT NULL CHECK (origin IN ('auto', 'user')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX article_categories_category ON article_categories(category);
CREATE INDEX article_categories_origin ON article_categories(origin);

-- One row per (article, tag). A user's removal is kept as a row with removed = 1, so a
-- later automatic pass does not add the tag back.
CREATE TABLE article_tags (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('auto', 'user')),
    removed     INTEGER NOT NULL DEFAULT 0,
    rank        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_tag ON article_tags(tag, removed);

-- Salient terms the technology list lacks; a user accepts one by adding it as a tag.
CREATE TABLE candidate_tags (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    term        TEXT NOT NULL,
    rank        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, term)
);
CREATE INDEX candidate_tags_term ON candidate_tags(term);

-- `distill tags merge A B` records A -> B so later automatic tags fold A into B too.
CREATE TABLE tag_merges (
    alias       TEXT PRIMARY KEY,
    tag         TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
