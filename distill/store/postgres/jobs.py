"""The job queue on PostgreSQL: the shared statements, and a claim that never waits.

On SQLite a claim is one UPDATE under the file's write lock, so claims simply take turns.
On PostgreSQL many workers claim at once: the candidate row is picked with
`FOR UPDATE SKIP LOCKED`, so a worker passes over a row another worker is claiming instead
of queueing behind it, and the UPDATE in the same statement leases it. Two workers never
hold one job; a dead worker's job comes back when its lease runs out, as on SQLite.
"""

from __future__ import annotations

from ..jobs import JobStore


class PostgresJobStore(JobStore):
    CLAIM_LOCK = " FOR UPDATE SKIP LOCKED"
    GREATEST = "greatest"
