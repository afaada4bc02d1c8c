-- Politeness across every worker sharing this database (SQLite's 0420): at most one request
-- at a time per host, and a delay after it. A worker takes a host's row in its claim's
-- transaction and frees it when its fetch is over; a killed worker's row runs out at
-- `expires` (renewed with the job's lease). Times are Unix seconds, like the jobs table.
CREATE TABLE host_leases (
    host      text PRIMARY KEY,
    holder    text,
    job_id    bigint,
    expires   double precision NOT NULL DEFAULT 0,
    ready_at  double precision NOT NULL DEFAULT 0
);
