"""The worker loop: schedule due feeds, claim jobs with a lease, run them on threads.

One loop thread owns the queue connection: it claims jobs (skipping hosts that are busy or
cooling down), hands each to a thread pool, renews the leases it holds, and records each
outcome (finish, retry with backoff, fail). Network waits overlap on the threads; each
thread has its own SQLite connection. On stop (SIGTERM in `distill worker`, the handle's
stop() inside `distill serve`) no new job is claimed, running jobs get `grace` seconds to
finish, and whatever is still running is released so another worker takes it at once.

Losing the database (PostgreSQL restarted, the network dropped) does not end the worker: a
job whose statements met the dead session fails with DatabaseUnavailable and is retried
like any retryable error (its transaction committed nothing); the loop waits with a growing
pause, keeps the outcomes it could not write, and carries on when the server answers (each
store opens a new session by itself).

`start_background(settings)` is the entry point for a server: it returns a handle whose
`stop()` shuts the worker down the same way.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import DatabaseUnavailable, DistillError, PermanentError, RetryableError
from .feeds.politeness import HostGate, Robots
from .feeds.tasks import Context, enqueue_due_feeds, run_job
from .jobs import JobQueue, make_owner
from .lifeline import die_with_parent, parent_gone, stop_on_signals
from .plugins import get_summarizer
from .store import SQLStore, open_store
from .store.jobs import Job, JobSignal

# How often the loop looks for due feeds and for jobs and hosts of dead workers on this
# machine (the first turn does both at once).
SCHEDULE_EVERY_S = 5.0
# How long the loop waits for running jobs before it looks again (it wakes early when a
# job ends). With nothing running it waits `worker_poll_interval` instead, waking early
# when the engine signals a queued job (PostgreSQL), checking for a stop this often.
IDLE_POLL_S = 0.5
STOP_CHECK_S = 0.5
# While the database cannot be reached the loop waits this long, doubling each turn up to
# the maximum, so a server that is down for minutes costs a try every few seconds, not a spin.
OUTAGE_WAIT_S = 0.2
OUTAGE_MAX_WAIT_S = 5.0
# Seconds `BackgroundWorker.stop` waits for the worker process beyond its own grace period.
STOP_MARGIN_S = 10.0
ORPHAN_CHECK_S = 1.0  # how often a server's worker looks for its server
EXIT_ORPHANED = 3  # exit status of a worker ended by _exit_when_orphaned

Event = dict[str, Any]


class Worker:
    def __init__(
        self,
        settings: Settings,
        *,
        threads: int | None = None,
        until_idle: bool = False,
        on_event: Callable[[Event], None] | None = None,
        grace: float | None = None,
        schedule_feeds: bool = True,
        parent_pid: int | None = None,
    ) -> None:
        self.settings = settings
        self.threads = max(1, int(threads or settings.worker_threads))
        self.until_idle = until_idle
        self.on_event = on_event or (lambda _e: None)
        self.grace = float(settings.worker_stop_grace) if grace is None else grace
        self.parent_pid = parent_pid  # stop when this process (the server) is gone
        self.schedule_feeds = schedule_feeds
        self.owner = make_owner()
        self.gate = HostGate(float(settings.host_delay), self._free_host)
        self.robots = Robots(settings, self.gate)
        self.summarizer = get_summarizer(settings.summarizer)
        self._stop = threading.Event()
        self._local = threading.local()
        self._stores: list[SQLStore] = []
        self._stores_lock = threading.Lock()
        self.stats = {"done": 0, "retried": 0, "failed": 0, "released": 0}
        # Finished jobs whose outcome is not written yet (the database was unreachable).
        self._unrecorded: list[tuple[Job, Future[dict[str, Any]]]] = []
        self._next_schedule = 0.0
        self._signal: JobSignal | None = None  # wakes the idle loop when a job is queued
        self._listen = True  # False once the engine turned out to have no signal
        self._idle = False
        self._next_renew = time.monotonic() + float(settings.job_lease) / 3

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _thread_store(self) -> SQLStore:
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.settings.home, self.settings.database_url)
            self._local.store = store
            with self._stores_lock:
                self._stores.append(store)
        return store

    def _free_host(self, host: str, job_id: object, wait: float) -> None:
        """Free the host for every worker sharing the library (on the job's thread). When the
        database cannot be reached the host's lease simply runs out."""
        if not isinstance(job_id, int):
            return
        with contextlib.suppress(DatabaseUnavailable):
            JobQueue(self._thread_store(), self.settings).free_host(host, self.owner, job_id, wait)

    def _execute(self, job: Job) -> dict[str, Any]:
        ctx = Context(self._thread_store(), self.settings, self.gate, self.robots, self.summarizer)
        try:
            return run_job(job, ctx)
        finally:
            self.gate.done(job.host, job.id)

    def run(self) -> dict[str, int]:
        store = open_store(self.settings.home, self.settings.database_url)
        queue = JobQueue(store, self.settings)
        running: dict[Future[dict[str, Any]], Job] = {}
        pool = ThreadPoolExecutor(self.threads, thread_name_prefix="distill-job")
        outage = 0  # turns in a row that could not reach the database
        try:
            while not self._stop.is_set():
                if self.parent_pid is not None and parent_gone(self.parent_pid):
                    self.on_event({"event": "parent-gone", "parent": self.parent_pid})
                    break
                try:
                    if not self._turn(store, queue, running, pool):
                        break
                except DatabaseUnavailable as exc:
                    if not outage:
                        self.on_event({"event": "database-unavailable", "error": str(exc)})
                    outage += 1
                    self._stop.wait(min(OUTAGE_WAIT_S * 2 ** (outage - 1), OUTAGE_MAX_WAIT_S))
                    continue
                if outage:
                    self.on_event({"event": "database-back", "after_tries": outage})
                    outage = 0
            try:
                self._shutdown(queue, running)
            except DatabaseUnavailable as exc:  # the leases run out; another worker takes them
                self.on_event({"event": "database-unavailable", "error": str(exc)})
        finally:
            self._drop_signal()
            pool.shutdown(wait=False, cancel_futures=True)
            with contextlib.suppress(Exception):  # its session may be gone
                store.close()
            with self._stores_lock:
                for s in self._stores:
                    with contextlib.suppress(Exception):  # a thread may still hold it
                        s.close()
        return self.stats

    def _turn(
        self,
        store: SQLStore,
        queue: JobQueue,
        running: dict[Future[dict[str, Any]], Job],
        pool: ThreadPoolExecutor,
    ) -> bool:
        """One round of the loop: schedule, renew, record outcomes, claim, wait. False when
        the worker should end (idle with until_idle). Any step may raise DatabaseUnavailable;
        the loop waits and calls again, and each step picks up where it stopped: an outcome
        not yet written stays in `_unrecorded`, a lease not yet renewed is renewed next time."""
        now = time.monotonic()
        if now >= self._next_schedule:
            # A worker on this machine killed since (SIGKILL, OOM) leaves jobs and hosts
            # leased: take them back now instead of when their leases run out.
            freed = queue.recover_dead_workers()
            if freed:
                self.on_event({"event": "recovered", "jobs": freed})
            if self.schedule_feeds:
                enqueue_due_feeds(store, self.settings)
            self._next_schedule = now + SCHEDULE_EVERY_S
        if now >= self._next_renew:
            queue.renew([j.id for j in running.values()], self.owner)
            self._next_renew = now + float(self.settings.job_lease) / 3
        self._record_finished(queue)
        while len(running) < self.threads and not self._stop.is_set():
            job = queue.claim(self.owner, self.gate.blocked())
            if job is None:
                break
            self.gate.take(job.host, job.id)
            running[pool.submit(self._execute, job)] = job
        if not running:
            if self.until_idle and queue.due_now() == 0:
                return False
            self._idle_wait(store)
            return True
        self._idle = False
        done, _ = wait(list(running), timeout=IDLE_POLL_S, return_when=FIRST_COMPLETED)
        for future in done:
            self._unrecorded.append((running.pop(future), future))
        self._record_finished(queue)
        return True

    def _idle_wait(self, store: SQLStore) -> None:
        """Nothing to run: wait `worker_poll_interval`, or less when a job is queued (the
        engine's signal: PostgreSQL's NOTIFY) or the worker is asked to stop."""
        if self._signal is None and self._listen:
            self._signal = store.job_signal()  # DatabaseUnavailable: the loop waits, retries
            self._listen = self._signal is not None
        if not self._idle:  # tell once per idle spell, so a caller knows the worker waits
            self._idle = True
            wakes = "notify" if self._signal is not None else "poll"
            self.on_event({"event": "idle", "wakes_on": wakes})
        deadline = time.monotonic() + float(self.settings.worker_poll_interval)
        while not self._stop.is_set() and (left := deadline - time.monotonic()) > 0:
            if self._signal is None:
                self._stop.wait(min(left, STOP_CHECK_S))
                continue
            try:
                if self._signal.wait(min(left, STOP_CHECK_S)):
                    return
            except DatabaseUnavailable:
                self._drop_signal()  # a new session listens once the server is back
                raise

    def _drop_signal(self) -> None:
        if self._signal is not None:
            with contextlib.suppress(Exception):
                self._signal.close()
        self._signal = None

    def _record_finished(self, queue: JobQueue) -> None:
        """Write the outcome of every finished job, oldest first; one that cannot be written
        now (the database is gone) stays first in line for the next turn."""
        while self._unrecorded:
            job, future = self._unrecorded[0]
            self._record(queue, job, future)
            self._unrecorded.pop(0)

    def _shutdown(self, queue: JobQueue, running: dict[Future[dict[str, Any]], Job]) -> None:
        """Let running jobs finish for `grace` seconds, then give the rest back."""
        self._record_finished(queue)
        deadline = time.monotonic() + self.grace
        while running and time.monotonic() < deadline:
            done, _ = wait(list(running), timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                self._unrecorded.append((running.pop(future), future))
            self._record_finished(queue)
        if running:
            ids = [j.id for j in running.values()]
            self.stats["released"] += queue.release(ids, self.owner)
            self.on_event({"event": "released", "jobs": ids})

    def _record(self, queue: JobQueue, job: Job, future: Future[dict[str, Any]]) -> None:
        event: Event = {"event": "job", "job": job.id, "kind": job.kind, "owner": self.owner}
        try:
            result = future.result()
        except PermanentError as exc:
            state = queue.fail(job, self.owner, str(exc))
            event.update(state=state or "lost", error=str(exc))
        except (RetryableError, DistillError) as exc:
            state = queue.retry(job, self.owner, str(exc))
            event.update(state=state or "lost", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug in one job must not stop the worker
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            state = queue.retry(job, self.owner, f"internal error: {detail}")
            event.update(state=state or "lost", error=detail)
        else:
            ok = queue.finish(job, self.owner, result)
            event.update(state="done" if ok else "lost", result=result)
        key = {"done": "done", "queued": "retried", "failed": "failed"}.get(event["state"])
        if key:
            self.stats[key] += 1
        self.on_event(event)


def run_worker(settings: Settings, **kwargs: Any) -> dict[str, int]:
    """Run a worker in this process until idle (until_idle=True) or SIGTERM/SIGINT."""
    worker = Worker(settings, **kwargs)
    if worker.parent_pid is not None:
        die_with_parent()  # the kernel sends SIGTERM if the server dies, even by SIGKILL
        # SIGUSR1 writes every thread's stack to stderr: what a worker that will not stop
        # is doing (the test suite sends it to a process left behind).
        faulthandler.register(signal.SIGUSR1, all_threads=True)
        grace = float(settings.worker_stop_grace) + STOP_MARGIN_S
        threading.Thread(
            target=_exit_when_orphaned,
            args=(worker.parent_pid, grace),
            name="distill-orphan-watch",
            daemon=True,
        ).start()
    with stop_on_signals(worker.stop):
        return worker.run()


def _exit_when_orphaned(parent_pid: int, grace: float) -> None:
    """The last resort for a server's worker: once the server is gone, the orderly stop
    (SIGTERM, jobs finish or are released) gets `grace` seconds; a process still alive then
    is stuck somewhere that never looks at the stop flag (a thread in a blocking call, the
    interpreter joining a job's thread at exit), and ends as if killed, which the queue is
    built to survive (leases run out, nothing is half-written)."""
    while not parent_gone(parent_pid):
        time.sleep(ORPHAN_CHECK_S)
    time.sleep(grace)
    os._exit(EXIT_ORPHANED)


class BackgroundWorker:
    """Handle returned by start_background(); stop() is idempotent and waits."""

    def __init__(
        self,
        settings: Settings,
        worker: Worker | None,
        thread: threading.Thread | None,
        proc: Any,
    ) -> None:
        self.settings = settings
        self.worker = worker
        self.thread = thread
        self.process: subprocess.Popen[bytes] | None = proc

    @property
    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return bool(self.thread and self.thread.is_alive())

    def stop(self, timeout: float | None = None) -> None:
        if timeout is None:
            timeout = float(self.settings.worker_stop_grace) + STOP_MARGIN_S
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()  # SIGTERM: finishes or releases what it holds
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            return
        if self.worker is not None:
            self.worker.stop()
        if self.thread is not None:
            self.thread.join(timeout)


def start_background(
    settings: Settings, *, separate_process: bool = True, threads: int | None = None
) -> BackgroundWorker:
    """Start a worker for `distill serve`; call .stop() on the handle at shutdown.

    separate_process=True (the default) runs `distill worker` as a child process, so CPU
    work (extraction, summarizing, embedding) never competes with the web server for the
    GIL. separate_process=False runs the loop on a daemon thread in this process.
    """
    if separate_process:
        cmd = [sys.executable, "-m", "distill", "--home", str(Path(settings.home)), "worker"]
        cmd += ["--parent-pid", str(os.getpid())]
        if threads:
            cmd += ["--threads", str(threads)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        return BackgroundWorker(settings, None, None, proc)
    worker = Worker(settings, threads=threads)
    thread = threading.Thread(target=worker.run, name="distill-worker", daemon=True)
    thread.start()
    return BackgroundWorker(settings, worker, thread, None)
