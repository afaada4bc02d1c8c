-- Why an LLM backend did not summarise an article (SQLite's 0500).
CREATE TABLE llm_fallbacks (
    article_id  bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    backend     text NOT NULL,
    reason      text NOT NULL,
    retry       integer NOT NULL DEFAULT 1,
    status      text NOT NULL DEFAULT 'pending',
    attempts    integer NOT NULL DEFAULT 0,
    created_at  text NOT NULL DEFAULT distill_now(),
    updated_at  text NOT NULL DEFAULT distill_now()
);
CREATE INDEX llm_fallbacks_status ON llm_fallbacks(status);
