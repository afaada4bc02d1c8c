-- When an LLM backend could not summarise an article and another backend did: why, and
-- whether a retry with the LLM is still owed. Pending rows are the retry queue until the
-- shared jobs table takes them over (distill/llm/retry.py: queue_retry).
CREATE TABLE llm_fallbacks (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    backend     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    retry       INTEGER NOT NULL DEFAULT 1,
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX llm_fallbacks_status ON llm_fallbacks(status);
