-- Pausing a subscription (issue 14): the scheduler skips paused feeds; "check now" still
-- checks one once. paused_at says since when (Unix seconds), NULL while active.
ALTER TABLE feeds ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN paused_at REAL;
