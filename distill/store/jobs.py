"""SQL for the job queue (table `jobs`, migration 0400).

Every state change is one statement or one IMMEDIATE transaction, so two processes never
claim the same job: the claim is a single UPDATE ... RETURNING under SQLite's write lock.
Finishing and retrying check the lease owner, so a worker whose lease was taken over (it
stalled past its expiry) cannot overwrite the new holder's outcome.

Hosts are leased too (table `host_leases`, migration 0420): `claim_polite` takes the job's
host in the same transaction as the job, so across every worker process sharing the
library at most one job at a time talks to a host; the job frees the host after its fetch
(`free_host`, with the time the next request may start), and a killed worker's host lease
runs out with its job lease.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .part import Part, immediate


class _HostTaken(Exception):
    """Inside claim_polite: the claimed job's host is held by another worker; roll back."""


class JobSignal(Protocol):
    """What wakes an idle worker when a job is queued (PostgreSQL's LISTEN/NOTIFY)."""

    def wait(self, seconds: float) -> bool:
        """Block up to `seconds`; True when a job was queued meanwhile."""

    def close(self) -> None: ...


@dataclass
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    key: str | None
    host: str
    state: str
    priority: int
    attempts: int
    max_attempts: int
    run_at: float
    lease_owner: str | None
    lease_expires: float | None
    last_error: str
    result: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0


def _job(row: Any) -> Job:
    return Job(
        id=int(row["id"]),
        kind=row["kind"],
        payload=json.loads(row["payload"] or "{}"),
        key=row["key"],
        host=row["host"],
        state=row["state"],
        priority=int(row["priority"]),
        attempts=int(row["attempts"]),
        max_attempts=int(row["max_attempts"]),
        run_at=float(row["run_at"]),
        lease_owner=row["lease_owner"],
        lease_expires=row["lease_expires"],
        last_error=row["last_error"],
        result=json.loads(row["result"]) if row["result"] else {},
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
    )


class JobStore(Part):
    """The jobs table as a leased queue."""

    # What differs between engines in the claim and the release (PostgreSQL overrides):
    # how the candidate row is locked, and the name of the two-argument maximum.
    CLAIM_LOCK = ""
    GREATEST = "max"

    def insert_job(
        self,
        kind: str,
        payload: dict[str, Any],
        now: float,
        *,
        key: str | None = None,
        host: str = "",
        run_at: float | None = None,
        priority: int = 0,
        max_attempts: int = 5,
    ) -> int | None:
        """Insert a queued job; None when an unfinished job with the same key already exists."""
        cursor = self.conn.execute(
            "INSERT INTO jobs (kind, payload, key, host, priority, max_attempts, run_at,"
            " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (key) WHERE key IS NOT NULL AND state IN ('queued', 'running')"
            " DO NOTHING",
            (
                kind,
                json.dumps(payload),
                key,
                host,
                priority,
                max_attempts,
                now if run_at is None else run_at,
                now,
                now,
            ),
        )
        return int(cursor.lastrowid) if cursor.rowcount else None

    def claim_one(
        self, owner: str, now: float, lease_s: float, exclude_hosts: Iterable[str] = ()
    ) -> Job | None:
        """Lease the most urgent due job (queued and due, or running with an expired lease).

        `exclude_hosts` lets a worker skip hosts it is already talking to or must still wait
        for, which is how "one request at a time per host" is kept without idle threads.
        """
        hosts = sorted(set(exclude_hosts))
        host_clause = f" AND host NOT IN ({','.join('?' * len(hosts))})" if hosts else ""
        row = self.conn.execute(
            "UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires = ?,"
            " attempts = attempts + 1, updated_at = ? WHERE id = ("
            " SELECT id FROM jobs WHERE ((state = 'queued' AND run_at <= ?)"
            " OR (state = 'running' AND lease_expires < ?))"
            + host_clause
            + " ORDER BY priority DESC, run_at, id LIMIT 1"
            + self.CLAIM_LOCK
            + ") RETURNING *",
            (owner, now + lease_s, now, now, now, *hosts),
        ).fetchone()
        return _job(row) if row else None

    def claim_polite(
        self, owner: str, now: float, lease_s: float, exclude_hosts: Iterable[str] = ()
    ) -> Job | None:
        """claim_one, skipping hosts another worker is fetching from or must still wait for,
        and taking the job's host in the same transaction (see the module docstring).

        Two workers may pick jobs for one free host at the same moment; the host row lets
        only one of them commit. The other rolls back (its claim undone, attempts untouched)
        and tries again without that host, so this ends: each retry skips one more host.
        """
        skip = set(exclude_hosts)
        while True:
            try:
                with immediate(self.conn):
                    skip |= self.busy_hosts(now)
                    job = self.claim_one(owner, now, lease_s, skip)
                    if job is None or not job.host:
                        return job
                    if not self.take_host(job.host, owner, job.id, now, now + lease_s):
                        skip.add(job.host)
                        raise _HostTaken
                    return job
            except _HostTaken:
                continue

    def busy_hosts(self, now: float) -> set[str]:
        """Hosts some worker is fetching from, or that must still wait after a request."""
        rows = self.conn.execute(
            "SELECT host FROM host_leases WHERE expires > ? OR ready_at > ?", (now, now)
        ).fetchall()
        return {str(r[0]) for r in rows}

    def take_host(self, host: str, owner: str, job_id: int, now: float, expires: float) -> bool:
        """Hold `host` for the job until `expires`; False when it is held or cooling down."""
        row = self.conn.execute(
            "INSERT INTO host_leases (host, holder, job_id, expires) VALUES (?,?,?,?)"
            " ON CONFLICT (host) DO UPDATE SET holder = excluded.holder,"
            " job_id = excluded.job_id, expires = excluded.expires"
            " WHERE host_leases.expires <= ? AND host_leases.ready_at <= ? RETURNING host",
            (host, owner, job_id, expires, now, now),
        ).fetchone()
        return row is not None

    def free_host(self, host: str, owner: str, job_id: int, ready_at: float) -> bool:
        """The job's requests to `host` are over: free it, the next request not before
        `ready_at`. Only the holder frees a host (a job whose lease ran out and was taken
        over cannot free the new holder's host)."""
        cursor = self.conn.execute(
            "UPDATE host_leases SET holder = NULL, job_id = NULL, expires = 0, ready_at = ?"
            " WHERE host = ? AND holder = ? AND job_id = ?",
            (ready_at, host, owner, job_id),
        )
        return bool(cursor.rowcount)

    def renew(self, job_ids: list[int], owner: str, expires: float) -> int:
        """Extend the leases of the owner's jobs, and of the hosts those jobs hold."""
        if not job_ids:
            return 0
        marks = ",".join("?" * len(job_ids))
        cursor = self.conn.execute(
            f"UPDATE jobs SET lease_expires = ? WHERE lease_owner = ? AND state = 'running'"
            f" AND id IN ({marks})",
            (expires, owner, *job_ids),
        )
        renewed = int(cursor.rowcount)
        self.conn.execute(
            f"UPDATE host_leases SET expires = ? WHERE holder = ? AND job_id IN ({marks})",
            (expires, owner, *job_ids),
        )
        return renewed

    def finish(self, job_id: int, owner: str, now: float, result: dict[str, Any]) -> bool:
        cursor = self.conn.execute(
            "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires = NULL,"
            " result = ?, last_error = '', updated_at = ?"
            " WHERE id = ? AND lease_owner = ? AND state = 'running'",
            (json.dumps(result), now, job_id, owner),
        )
        return bool(cursor.rowcount)

    def retry_or_fail(
        self, job_id: int, owner: str, now: float, error: str, delay: float
    ) -> str | None:
        """Back to queued after `delay`, or failed when attempts are used up; the new state."""
        row = self.conn.execute(
            "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'failed'"
            " ELSE 'queued' END, run_at = ?, lease_owner = NULL, lease_expires = NULL,"
            " last_error = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'"
            " RETURNING state",
            (now + delay, error, now, job_id, owner),
        ).fetchone()
        return row[0] if row else None

    def release(self, job_ids: list[int], owner: str, now: float) -> int:
        """Give leased jobs back untouched (shutdown): the attempt does not count."""
        if not job_ids:
            return 0
        marks = ",".join("?" * len(job_ids))
        cursor = self.conn.execute(
            "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires = NULL,"
            f" attempts = {self.GREATEST}(attempts - 1, 0), updated_at = ? WHERE lease_owner = ?"
            f" AND state = 'running' AND id IN ({marks})",
            (now, owner, *job_ids),
        )
        self.conn.execute(
            "UPDATE host_leases SET holder = NULL, job_id = NULL, expires = 0"
            f" WHERE holder = ? AND job_id IN ({marks})",
            (owner, *job_ids),
        )
        return int(cursor.rowcount)

    def release_owners(self, owners: set[str], now: float) -> int:
        """Requeue the jobs, and free the hosts, that `owners` (workers found dead) hold.

        A worker killed without warning leaves its leases until they expire; a worker on the
        same host can see the process is gone and take them back at once. The caller names
        the dead owners from one reading of the holders: an owner that appeared after that
        reading (a worker that just started) is never among them.
        """
        count = 0
        for owner in sorted(owners):
            cursor = self.conn.execute(
                "UPDATE jobs SET lease_expires = ? WHERE state = 'running' AND lease_owner = ?",
                (now - 1, owner),
            )
            count += int(cursor.rowcount)
            self.conn.execute(
                "UPDATE host_leases SET holder = NULL, job_id = NULL, expires = 0 WHERE holder = ?",
                (owner,),
            )
        return count

    def get_job(self, job_id: int) -> Job | None:
        row = self.conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def list_jobs(
        self, state: str = "", kind: str = "", limit: int = 100, offset: int = 0
    ) -> tuple[list[Job], int]:
        where, params = [], []
        if state:
            where.append("state = ?")
            params.append(state)
        if kind:
            where.append("kind = ?")
            params.append(kind)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.conn.execute("SELECT count(*) FROM jobs" + clause, params).fetchone()[0]
        rows = self.conn.execute(
            "SELECT * FROM jobs" + clause + " ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [_job(r) for r in rows], int(total)

    def requeue(self, job_ids: list[int] | None, now: float) -> list[int]:
        """Failed jobs (all when job_ids is None) back to queued with fresh attempts."""
        if job_ids is None:
            rows = self.conn.execute(
                "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ?"
                " WHERE state = 'failed' RETURNING id",
                (now, now),
            ).fetchall()
        else:
            marks = ",".join("?" * len(job_ids))
            rows = self.conn.execute(
                "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ?"
                f" WHERE state = 'failed' AND id IN ({marks}) RETURNING id",
                (now, now, *job_ids),
            ).fetchall()
        return sorted(int(r[0]) for r in rows)

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def next_due(self, now: float) -> float | None:
        """When the next queued job becomes due (None when nothing is queued)."""
        row = self.conn.execute("SELECT min(run_at) FROM jobs WHERE state = 'queued'").fetchone()
        lease = self.conn.execute(
            "SELECT min(lease_expires) FROM jobs WHERE state = 'running'"
        ).fetchone()
        times = [t for t in (row[0], lease[0]) if t is not None]
        return min(times) if times else None

    def use_up_attempts(self, job_id: int, owner: str) -> None:
        """A permanent failure: the next retry_or_fail marks the job failed."""
        self.conn.execute(
            "UPDATE jobs SET attempts = max_attempts WHERE id = ? AND lease_owner = ?",
            (job_id, owner),
        )

    def running_owners(self) -> set[str]:
        """Owners holding a job or a host."""
        rows = self.conn.execute(
            "SELECT DISTINCT lease_owner FROM jobs WHERE state = 'running'"
            " UNION SELECT DISTINCT holder FROM host_leases WHERE holder IS NOT NULL"
        ).fetchall()
        return {str(r[0]) for r in rows if r[0]}

    def due_count(self, now: float) -> int:
        """Jobs claimable at `now` (ignoring host politeness)."""
        row = self.conn.execute(
            "SELECT count(*) FROM jobs WHERE (state = 'queued' AND run_at <= ?)"
            " OR (state = 'running' AND lease_expires < ?)",
            (now, now),
        ).fetchone()
        return int(row[0])
