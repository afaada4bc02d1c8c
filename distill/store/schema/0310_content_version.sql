-- A number that moves whenever what the library's pages count changes: articles, their
-- categories and tags, stars. Pages remember counts and chart data until it moves
-- (distill/store/web.py `remembered`). PRAGMA data_version was used before, but it also
-- moves on every article view (article_reads), which made every count run again.
CREATE TABLE content_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO content_version (id, n) VALUES (1, 0);

CREATE TRIGGER content_version_articles_insert AFTER INSERT ON articles BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_articles_update AFTER UPDATE ON articles BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_articles_delete AFTER DELETE ON articles BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_article_categories_insert AFTER INSERT ON article_categories BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_article_categories_update AFTER UPDATE ON article_categories BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_article_categories_delete AFTER DELETE ON article_categories BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_article_tags_insert AFTER INSERT ON article_tags BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_article_tags_update AFTER UPDATE ON article_tags BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_article_tags_delete AFTER DELETE ON article_tags BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_stars_insert AFTER INSERT ON stars BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_stars_update AFTER UPDATE ON stars BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_stars_delete AFTER DELETE ON stars BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;
