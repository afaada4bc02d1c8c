-- Reading state per article (SQLite's 0320): no row means unread.
CREATE TABLE reading_state (
    article_id  bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    state       text NOT NULL CHECK (state IN ('read', 'archived')),
    updated_at  text NOT NULL DEFAULT distill_now()
);
CREATE INDEX reading_state_state ON reading_state(state, article_id);

CREATE TRIGGER content_version_reading_state AFTER INSERT OR UPDATE OR DELETE ON reading_state
    FOR EACH STATEMENT EXECUTE FUNCTION distill_bump_content_version();
