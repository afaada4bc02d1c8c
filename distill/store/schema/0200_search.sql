-- Search indexes, kept in step with articles, summaries and vectors by the triggers below,
-- so every write that changes what is searchable updates the index in the same transaction.
--
-- Full text: an FTS5 external-content table over (title, summary, body). The content is the
-- view search_content, so the text is stored once (in articles and summaries) and FTS5 keeps
-- only its inverted index. `summary` is the text of the summary's non-code lines.
-- An external-content index must be told the exact old values when a row changes; the
-- triggers recompute them with the same expression the view uses.
CREATE VIEW search_content AS
SELECT a.id AS id, a.title AS title,
       coalesce((SELECT group_concat(json_extract(l.value, '$.text'), ' ')
                 FROM json_each(s.sections) AS sec, json_each(sec.value, '$.lines') AS l
                 WHERE json_extract(l.value, '$.kind') IS NOT 'code'), '') AS summary,
       a.body AS body
FROM articles a LEFT JOIN summaries s ON s.article_id = a.id;

CREATE VIRTUAL TABLE search_fts USING fts5(
    title, summary, body,
    content = 'search_content', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Term statistics (documents per term), used to keep very common words cheap.
CREATE VIRTUAL TABLE search_fts_terms USING fts5vocab(search_fts, 'row');

INSERT INTO search_fts(rowid, title, summary, body)
SELECT id, title, summary, body FROM search_content;

-- A new article is searchable at once, before its summary exists.
CREATE TRIGGER search_articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO search_fts(rowid, title, summary, body)
    VALUES (new.id, new.title, '', new.body);
END;

-- BEFORE DELETE: the summary row still exists here (the cascade removes it afterwards),
-- so the exact indexed values can be given to FTS5's delete command.
CREATE TRIGGER search_articles_bd BEFORE DELETE ON articles BEGIN
    INSERT INTO search_fts(search_fts, rowid, title, summary, body)
    SELECT 'delete', c.id, c.title, c.summary, c.body FROM search_content c WHERE c.id = old.id;
END;

CREATE TRIGGER search_articles_au AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO search_fts(search_fts, rowid, title, summary, body)
    SELECT 'delete', old.id, old.title, c.summary, old.body
    FROM search_content c WHERE c.id = new.id;
    INSERT INTO search_fts(rowid, title, summary, body)
    SELECT c.id, c.title, c.summary, c.body FROM search_content c WHERE c.id = new.id;
END;

CREATE TRIGGER search_summaries_ai AFTER INSERT ON summaries BEGIN
    INSERT INTO search_fts(search_fts, rowid, title, summary, body)
    SELECT 'delete', a.id, a.title, '', a.body FROM articles a WHERE a.id = new.article_id;
    INSERT INTO search_fts(rowid, title, summary, body)
    SELECT c.id, c.title, c.summary, c.body FROM search_content c WHERE c.id = new.article_id;
END;

CREATE TRIGGER search_summaries_au AFTER UPDATE ON summaries BEGIN
    INSERT INTO search_fts(search_fts, rowid, title, summary, body)
    SELECT 'delete', a.id, a.title,
           coalesce((SELECT group_concat(json_extract(l.value, '$.text'), ' ')
                     FROM json_each(old.sections) AS sec, json_each(sec.value, '$.lines') AS l
                     WHERE json_extract(l.value, '$.kind') IS NOT 'code'), ''),
           a.body
    FROM articles a WHERE a.id = old.article_id;
    INSERT INTO search_fts(rowid, title, summary, body)
    SELECT c.id, c.title, c.summary, c.body FROM search_content c WHERE c.id = new.article_id;
END;

-- A summary removed on its own (not by the article's cascade: then the article row is
-- already gone and search_articles_bd has removed the index row).
CREATE TRIGGER search_summaries_ad AFTER DELETE ON summaries BEGIN
    INSERT INTO search_fts(search_fts, rowid, title, summary, body)
    SELECT 'delete', a.id, a.title,
           coalesce((SELECT group_concat(json_extract(l.value, '$.text'), ' ')
                     FROM json_each(old.sections) AS sec, json_each(sec.value, '$.lines') AS l
                     WHERE json_extract(l.value, '$.kind') IS NOT 'code'), ''),
           a.body
    FROM articles a WHERE a.id = old.article_id;
    INSERT INTO search_fts(rowid, title, summary, body)
    SELECT a.id, a.title, '', a.body FROM articles a WHERE a.id = old.article_id;
END;

-- By meaning: a sqlite-vec table over the stored 384-dimension article vectors
-- (all-MiniLM-L6-v2). Section vectors stay in `vectors` and refine the nearest articles
-- (see distill/search.py), so a query scans one vector per article, not one per section.
CREATE VIRTUAL TABLE search_vec_articles USING vec0(
    article_id INTEGER PRIMARY KEY, embedding float[384] distance_metric=cosine
);

INSERT INTO search_vec_articles(article_id, embedding)
SELECT article_id, vector FROM vectors WHERE kind = 'article' AND dimensions = 384;

CREATE TRIGGER search_vectors_article_ai AFTER INSERT ON vectors
WHEN new.kind = 'article' AND new.dimensions = 384 BEGIN
    INSERT INTO search_vec_articles(article_id, embedding) VALUES (new.article_id, new.vector);
END;

CREATE TRIGGER search_vectors_article_ad AFTER DELETE ON vectors
WHEN old.kind = 'article' BEGIN
    DELETE FROM search_vec_articles WHERE article_id = old.article_id;
END;
