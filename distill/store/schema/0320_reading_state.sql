-- Reading state per article (issue 14). No row means unread: every new article starts
-- unread without a write, and "unread" filters are a NOT EXISTS probe on this primary key.
-- 'read' is set by opening the article page or by marking; 'archived' takes the article out
-- of the default lists (search still finds it). Marking is not a visit: trending and
-- "most read" keep counting article_visits only.
CREATE TABLE reading_state (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN ('read', 'archived')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX reading_state_state ON reading_state(state, article_id);

-- Unread counts per category and the default (unarchived) lists are remembered like other
-- counts, so a change of reading state moves the content version too.
CREATE TRIGGER content_version_reading_state_insert AFTER INSERT ON reading_state BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_reading_state_update AFTER UPDATE ON reading_state BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER content_version_reading_state_delete AFTER DELETE ON reading_state BEGIN
    UPDATE content_version SET n = n + 1 WHERE id = 1;
END;
