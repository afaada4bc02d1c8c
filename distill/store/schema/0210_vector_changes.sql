-- Meaning search moves from a sqlite-vec table to an in-memory matrix per process
-- (distill/store/vector_index.py): the exact scan there is about seven times faster. The
-- stored vectors stay the truth; this log tells each process which articles' vectors
-- changed since it last looked, written in the same transaction as the change.
DROP TRIGGER IF EXISTS search_vectors_article_ai;
DROP TRIGGER IF EXISTS search_vectors_article_ad;
DROP TABLE IF EXISTS search_vec_articles;

CREATE TABLE vector_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL
);

-- Which library a process's index belongs to, so a new file at an old path is not
-- mistaken for the one it replaced.
CREATE TABLE vector_index_identity (token TEXT NOT NULL);
INSERT INTO vector_index_identity (token) VALUES (lower(hex(randomblob(16))));

CREATE TRIGGER vector_changes_ai AFTER INSERT ON vectors WHEN new.kind = 'article' BEGIN
    INSERT INTO vector_changes (article_id) VALUES (new.article_id);
END;

CREATE TRIGGER vector_changes_au AFTER UPDATE ON vectors WHEN new.kind = 'article' BEGIN
    INSERT INTO vector_changes (article_id) VALUES (new.article_id);
END;

CREATE TRIGGER vector_changes_ad AFTER DELETE ON vectors WHEN old.kind = 'article' BEGIN
    INSERT INTO vector_changes (article_id) VALUES (old.article_id);
END;
