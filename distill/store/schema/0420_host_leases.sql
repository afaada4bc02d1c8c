-- Politeness across every worker sharing this library: at most one request at a time per
-- host, and a delay after it. A worker takes a host's row when it claims a job for that
-- host (in the claim's transaction, so two workers never hold one host) and frees it when
-- its fetch is over, setting when the next request may start. A worker killed mid-fetch
-- never frees its row: `expires` (renewed with the job's lease) runs out instead.
-- Times are Unix seconds, like the jobs table.
CREATE TABLE host_leases (
    host      TEXT PRIMARY KEY,
    holder    TEXT,                     -- the worker (owner name) fetching from it; NULL = free
    job_id    INTEGER,                  -- the holder's job
    expires   REAL NOT NULL DEFAULT 0,  -- the holder's claim ends here unless renewed
    ready_at  REAL NOT NULL DEFAULT 0   -- no request to this host before this time
);
