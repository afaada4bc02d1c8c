"""The jobs table is the queue: enqueue, claim with a lease, renew, finish, retry, fail.

Why a table and not a broker: one SQLite file is the whole deployment, a job and the data
it produces can commit together, and a crash loses nothing because a claim is only a lease.
A worker that dies leaves its jobs `running` with a lease that expires; any worker then
claims them again (the attempt counts, so a job that kills every worker that runs it ends
`failed` instead of looping). Retries wait `job_backoff * 2**(attempts-1)` seconds, capped
at MAX_BACKOFF_S, with jitter so a burst of failures does not come back in lockstep.
"""

from __future__ import annotations

import os
import random
import socket
import time
import uuid
from typing import Any

from .config import Settings
from .errors import PermanentError, RetryableError
from .store import Store
from .store.jobs import Job

FETCH_FEED = "fetch-feed"
INGEST_URL = "ingest-url"
RESUMMARIZE = "resummarize"  # an LLM summary owed after a fallback (distill/llm/retry.py)
KINDS = (FETCH_FEED, INGEST_URL, RESUMMARIZE)
# A day: past that a retry is no longer "soon", and a user should look at the error.
MAX_BACKOFF_S = 86_400.0
# +/- this fraction of a backoff delay is random, to spread retries of a burst.
JITTER = 0.1

__all__ = ["Job", "JobQueue", "PermanentError", "RetryableError", "make_owner"]


def make_owner() -> str:
    """`host:pid:random`: unique per worker, and names the process so a restarted worker on
    the same machine can tell its dead predecessor's leases from a live worker's."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_alive(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine's worker: only its lease expiry can tell
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def backoff_delay(attempts: int, base: float, rng: random.Random | None = None) -> float:
    delay = min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_S)
    spread = (rng or random).uniform(-JITTER, JITTER)
    return max(0.0, delay * (1 + spread))


class JobQueue:
    """Queue operations on one store connection (use one JobQueue per thread)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        key: str | None = None,
        host: str = "",
        delay: float = 0.0,
        priority: int = 0,
    ) -> int | None:
        now = time.time()
        return self.store.jobs.insert_job(
            kind,
            payload,
            now,
            key=key,
            host=host,
            run_at=now + delay,
            priority=priority,
            max_attempts=int(self.settings.job_max_attempts),
        )

    def claim(
        self, owner: str, exclude_hosts: set[str] | frozenset[str] = frozenset()
    ) -> Job | None:
        """Lease the most urgent due job whose host no worker (in this process or any other
        sharing the library) is fetching from or must still wait for, and lease its host."""
        return self.store.jobs.claim_polite(
            owner, time.time(), float(self.settings.job_lease), exclude_hosts
        )

    def free_host(self, host: str, owner: str, job_id: int, wait: float) -> bool:
        """The job is done with `host`: the next request to it, by any worker, after `wait`."""
        return self.store.jobs.free_host(host, owner, job_id, time.time() + wait)

    def renew(self, job_ids: list[int], owner: str) -> int:
        return self.store.jobs.renew(job_ids, owner, time.time() + float(self.settings.job_lease))

    def finish(self, job: Job, owner: str, result: dict[str, Any]) -> bool:
        return self.store.jobs.finish(job.id, owner, time.time(), result)

    def retry(self, job: Job, owner: str, error: str) -> str | None:
        """Queued again after a backoff, or `failed` when this was the last attempt."""
        delay = backoff_delay(job.attempts, float(self.settings.job_backoff))
        return self.store.jobs.retry_or_fail(job.id, owner, time.time(), error, delay)

    def fail(self, job: Job, owner: str, error: str) -> str | None:
        self.store.jobs.use_up_attempts(job.id, owner)
        return self.store.jobs.retry_or_fail(job.id, owner, time.time(), error, 0.0)

    def release(self, job_ids: list[int], owner: str) -> int:
        return self.store.jobs.release(job_ids, owner, time.time())

    def recover_dead_workers(self) -> int:
        """Make leases of dead workers on this machine claimable now; returns jobs freed."""
        prefix = socket.gethostname() + ":"
        dead = {
            o
            for o in self.store.jobs.running_owners()
            if o.startswith(prefix) and not owner_alive(o)
        }
        return self.store.jobs.release_owners(dead, time.time())

    def due_now(self) -> int:
        """Jobs claimable right now (ignoring host politeness)."""
        return self.store.jobs.due_count(time.time())

    def list_jobs(self, state: str = "", kind: str = "", limit: int = 100) -> tuple[list[Job], int]:
        return self.store.jobs.list_jobs(state=state, kind=kind, limit=limit)

    def retry_failed(self, job_ids: list[int] | None) -> list[int]:
        return self.store.jobs.requeue(job_ids, time.time())

    def counts(self) -> dict[str, int]:
        return self.store.jobs.counts()


def job_json(job: Job) -> dict[str, Any]:
    """The `distill jobs list --json` shape (documented in docs/cli.md)."""
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "payload": job.payload,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "run_at": iso(job.run_at),
        "lease_owner": job.lease_owner,
        "lease_expires": iso(job.lease_expires),
        "last_error": job.last_error or None,
        "result": job.result or None,
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
    }


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
