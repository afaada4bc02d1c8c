"""The job queue on PostgreSQL: the shared statements, and a claim that never waits.

On SQLite a claim is one UPDATE under the file's write lock, so claims simply take turns.
On PostgreSQL many workers claim at once: the candidate row is picked with
`FOR UPDATE SKIP LOCKED`, so a worker passes over a row another worker is claiming instead
of queueing behind it, and the UPDATE in the same statement leases it. Two workers never
hold one job; a dead worker's job comes back when its lease runs out, as on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..jobs import Job, JobStore, _job


class PostgresJobStore(JobStore):
    def claim_one(
        self, owner: str, now: float, lease_s: float, exclude_hosts: Iterable[str] = ()
    ) -> Job | None:
        hosts = sorted(set(exclude_hosts))
        host_clause = f" AND host NOT IN ({','.join('?' * len(hosts))})" if hosts else ""
        row = self.conn.execute(
            "UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires = ?,"
            " attempts = attempts + 1, updated_at = ? WHERE id = ("
            " SELECT id FROM jobs WHERE ((state = 'queued' AND run_at <= ?)"
            " OR (state = 'running' AND lease_expires < ?))"
            + host_clause
            + " ORDER BY priority DESC, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *",
            (owner, now + lease_s, now, now, now, *hosts),
        ).fetchone()
        return _job(row) if row else None

    def release(self, job_ids: list[int], owner: str, now: float) -> int:
        """Give leased jobs back untouched (shutdown): the attempt does not count."""
        if not job_ids:
            return 0
        marks = ",".join("?" * len(job_ids))
        cursor = self.conn.execute(
            "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires = NULL,"
            f" attempts = greatest(attempts - 1, 0), updated_at = ? WHERE lease_owner = ?"
            f" AND state = 'running' AND id IN ({marks})",
            (now, owner, *job_ids),
        )
        return int(cursor.rowcount)
