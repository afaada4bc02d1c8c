-- Idle workers LISTEN on `distill_jobs` (store/postgres/listen.py): a statement that leaves
-- a job queued (enqueue, retry, release, `jobs retry`) notifies them when it commits.
-- PostgreSQL sends one notification per transaction however many rows match (identical
-- payloads are folded), and none for a transaction that rolls back. SQLite has no such
-- channel; its workers poll.
CREATE FUNCTION distill_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('distill_jobs', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_queued_notify
    AFTER INSERT OR UPDATE OF state ON jobs
    FOR EACH ROW WHEN (NEW.state = 'queued')
    EXECUTE FUNCTION distill_jobs_notify();
