-- Categories, tags, candidate tags and merges: SQLite's 0100 in PostgreSQL types.
CREATE TABLE article_categories (
    article_id  bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    category    text NOT NULL,
    confidence  double precision NOT NULL DEFAULT 0,
    origin      text NOT NULL CHECK (origin IN ('auto', 'user')),
    updated_at  text NOT NULL DEFAULT distill_now()
);
CREATE INDEX article_categories_category ON article_categories(category);
CREATE INDEX article_categories_origin ON article_categories(origin);

CREATE TABLE article_tags (
    article_id  bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag         text NOT NULL,
    origin      text NOT NULL CHECK (origin IN ('auto', 'user')),
    removed     integer NOT NULL DEFAULT 0,
    rank        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_tag ON article_tags(tag, removed);
CREATE INDEX article_tags_lower_tag ON article_tags(lower(tag), removed);

CREATE TABLE candidate_tags (
    article_id  bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    term        text NOT NULL,
    rank        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, term)
);
CREATE INDEX candidate_tags_term ON candidate_tags(term);

CREATE TABLE tag_merges (
    alias       text PRIMARY KEY,
    tag         text NOT NULL,
    created_at  text NOT NULL DEFAULT distill_now()
);
