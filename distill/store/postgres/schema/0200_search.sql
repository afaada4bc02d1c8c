-- Full text: one weighted tsvector per article (title A, summary B, body C) in its own
-- table, with a GIN index. Triggers on articles and summaries rewrite an article's row in
-- the same transaction as the write, so what is searchable never lags what is stored.
-- The summary's text is its non-code lines, as in SQLite's search_content view.
-- 'english' stemming plays the part of FTS5's porter tokenizer.
CREATE FUNCTION distill_summary_text(sections text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(string_agg(l.value ->> 'text', ' '), '')
   FROM jsonb_array_elements(coalesce(sections, '[]')::jsonb) AS sec,
        jsonb_array_elements(coalesce(sec.value -> 'lines', '[]'::jsonb)) AS l
   WHERE (l.value ->> 'kind') IS DISTINCT FROM 'code' $$;

CREATE TABLE search_documents (
    article_id  bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    document    tsvector NOT NULL
);
CREATE INDEX search_documents_gin ON search_documents USING gin (document);

CREATE FUNCTION distill_index_article(aid bigint) RETURNS void LANGUAGE sql AS
$$ INSERT INTO search_documents (article_id, document)
   SELECT a.id,
          setweight(to_tsvector('english', a.title), 'A')
          || setweight(to_tsvector('english', distill_summary_text(s.sections)), 'B')
          || setweight(to_tsvector('english', a.body), 'C')
   FROM articles a LEFT JOIN summaries s ON s.article_id = a.id WHERE a.id = aid
   ON CONFLICT (article_id) DO UPDATE SET document = excluded.document $$;

CREATE FUNCTION distill_search_articles() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN PERFORM distill_index_article(NEW.id); RETURN NULL; END $$;

CREATE FUNCTION distill_search_summaries() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM distill_index_article(OLD.article_id);
    ELSE
        PERFORM distill_index_article(NEW.article_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER search_articles_ai AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION distill_search_articles();
CREATE TRIGGER search_articles_au AFTER UPDATE OF title, body ON articles
    FOR EACH ROW EXECUTE FUNCTION distill_search_articles();
CREATE TRIGGER search_summaries_aiu AFTER INSERT OR UPDATE ON summaries
    FOR EACH ROW EXECUTE FUNCTION distill_search_summaries();
