"""Runs queued solves: a dispatcher thread claims jobs, each solve runs in its own process.

A process per solve keeps the service alive when a solve dies (out of memory, a crash in the
solver) and lets cancel and time-outs reach it: the runner thread renews the job's lease,
stores progress, watches for a cancel request and the time limit, and sets the process's stop
event; the solve then stops within ~0.1 s and hands back its best plan. A process that dies
without an answer fails its job with the reason. A solve process exits when its service dies.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from api.jobs import CompareJob, SolveJob, SolveParameters
from api.settings import Settings
from api.store import CANCELLED, FAILED, SUCCEEDED, Job, Store

log = logging.getLogger("ledokol.runner")

GRACE_SECONDS = 0.5  # after the time limit, the stop event; the solve answers ~0.1 s later
KILL_AFTER_SECONDS = 20.0  # a solve that ignores its stop event this long is killed
SOLVE_NICENESS = 10
INCUMBENT_SECONDS = 1.0  # a solve sends its best plan so far at most this often


class Dispatcher:
    """Claims queued jobs while this instance has free solve slots."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.instance = settings.instance_name
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._slots = threading.Semaphore(settings.workers)
        self._runners: dict[str, JobRunner] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="ledokol-dispatcher", daemon=True)
        # forkserver: each solve is a fresh process (isolation: a crash or OOM takes only that
        # job), forked from a server that imported the planner once, so it starts in
        # milliseconds instead of re-importing OR-Tools per job
        self._context = mp.get_context("forkserver")
        self._context.set_forkserver_preload(["optimizer.solve", "optimizer.status_quo"])

    def start(self) -> None:
        if self.settings.embedded:
            back = self.store.requeue_abandoned(worker_prefix=f"{self.instance}:")
            if back:
                log.info("requeued %d job(s) this service held when it last stopped", back)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._lock:
            runners = list(self._runners.values())
        for runner in runners:
            runner.abandon()
        self._thread.join(timeout=5)

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._runners)

    def _loop(self) -> None:
        last_reclaim = 0.0
        number = 0
        while not self._stop.is_set():
            if time.monotonic() - last_reclaim > self.settings.lease_seconds / 3:
                last_reclaim = time.monotonic()
                try:
                    back = self.store.requeue_abandoned()
                    if back:
                        log.info("requeued %d job(s) whose service stopped renewing them", back)
                except Exception:  # the database may be briefly away; try again later
                    log.exception("could not look for abandoned jobs")
            if not self._slots.acquire(timeout=0.5):
                continue
            number += 1
            worker = f"{self.instance}:{number}"
            try:
                job = self.store.claim(worker, self.settings.lease_seconds)
            except Exception:
                log.exception("could not claim a job")
                job = None
            if job is None:
                self._slots.release()
                self._wake.wait(timeout=0.5)
                self._wake.clear()
                continue
            runner = JobRunner(self, job, worker)
            with self._lock:
                self._runners[job.id] = runner
            runner.start()

    def _done(self, job_id: str) -> None:
        with self._lock:
            self._runners.pop(job_id, None)
        self._slots.release()
        self._wake.set()


class JobRunner(threading.Thread):
    """Owns one running job: its process, lease, progress, cancel and time limit."""

    def __init__(self, dispatcher: Dispatcher, job: Job, worker: str) -> None:
        super().__init__(name=f"ledokol-job-{job.id[:8]}", daemon=True)
        self.dispatcher = dispatcher
        self.store = dispatcher.store
        self.settings = dispatcher.settings
        self.job = job
        self.worker = worker
        self._abandoned = threading.Event()

    def abandon(self) -> None:
        """The service is shutting down: stop the solve, leave the job for a restart."""
        self._abandoned.set()

    def run(self) -> None:
        try:
            self._run()
        except Exception as error:  # never let a job hang in `running`
            log.exception("job %s failed in its runner", self.job.id)
            self.store.finish(self.job.id, self.worker, FAILED, error=f"internal error: {error}")
        finally:
            self.dispatcher._done(self.job.id)

    def _run(self) -> None:
        job = self.job
        ask = job.options
        # a comparison runs its combinations one after the other, one worker each
        params = (
            ask if isinstance(ask, CompareJob) else ask.parameters(self.settings.cpus_per_solve)
        )
        context = self.dispatcher._context
        receive, send = context.Pipe(duplex=False)
        stop = context.Event()
        hint = None
        if isinstance(ask, SolveJob):  # a requeued job starts from its last incumbent
            hint = ask.hint if ask.hint is not None else self.store.plan(job.id)
        process = context.Process(
            target=solve_process,
            args=(
                self.store.scenario(job.id),
                params,
                hint,
                send,
                stop,
                os.getpid(),
                self.settings.memory_limit_mb,
            ),
            name=f"ledokol-solve-{job.id[:8]}",
            daemon=True,
        )
        process.start()
        send.close()
        self.store.set_solver(
            job.id,
            {
                "name": "cp-sat",
                "parameters": params.model_dump(exclude={"hint"}),
                "pid": process.pid,
                "worker": self.worker,
            },
        )
        log.info("job %s: solving in process %s with %s", job.id, process.pid, params)
        answer: dict[str, Any] | None = None
        progress: dict[str, Any] | None = None
        stopped_at: float | None = None
        cancelled = False
        kept = False  # an incumbent is stored
        started = time.monotonic()
        last_beat = 0.0
        while True:
            if receive.poll(0.1):
                try:
                    kind, payload = receive.recv()
                except EOFError:
                    break
                if kind == "progress":
                    progress = payload
                elif kind == "incumbent":
                    self.store.save_incumbent(job.id, self.worker, payload["plan"])
                    kept = True
                elif kind == "started":
                    started = time.monotonic()
                else:
                    answer = {"kind": kind, **payload}
                    break
            elif not process.is_alive():
                break
            now = time.monotonic()
            if now - last_beat >= 0.5:
                last_beat = now
                still_ours = self.store.heartbeat(
                    job.id, self.worker, self.settings.lease_seconds, progress
                )
                if not still_ours:
                    log.warning("job %s is no longer ours; stopping its solve", job.id)
                    self._abandoned.set()
                if stopped_at is None and self.store.cancel_requested(job.id):
                    cancelled = True
            over_time = now - started > params.time_limit + GRACE_SECONDS
            if stopped_at is None and (cancelled or over_time or self._abandoned.is_set()):
                stop.set()
                stopped_at = now
            if stopped_at is not None and now - stopped_at > KILL_AFTER_SECONDS:
                process.kill()
                break
        process.join(timeout=KILL_AFTER_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
        if self._abandoned.is_set():
            return  # left running in the database: a restart or another instance takes it over
        cancelled = cancelled or self.store.cancel_requested(job.id)
        if answer is None:
            reason = _death(process.exitcode)
            status = CANCELLED if cancelled else FAILED
            if kept:
                reason += "; its best plan so far is kept"
            solver_status = "FEASIBLE" if kept else None
            self.store.finish(job.id, self.worker, status, solver_status, error=reason)
            log.warning("job %s: %s", job.id, reason)
            return
        if answer["kind"] == "error":
            self.store.finish(job.id, self.worker, FAILED, error=answer["message"])
            return
        if progress is not None:  # the last report may have come after the last heartbeat
            self.store.heartbeat(job.id, self.worker, self.settings.lease_seconds, progress)
        self.store.finish(
            job.id,
            self.worker,
            CANCELLED if cancelled else SUCCEEDED,
            solver_status=answer["status"],
            plan_json=answer["plan"],
            summary=answer["summary"],
        )
        log.info("job %s: %s (%s)", job.id, answer["status"], "cancelled" if cancelled else "done")


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory or killed)" if -exitcode == signal.SIGKILL else ""
        return f"the solve process died of {name}{hint} before it answered"
    return f"the solve process exited with code {exitcode} before it answered"


# -- inside the solve process -------------------------------------------------------------------


def solve_process(
    scenario_json: str,
    params: SolveParameters | CompareJob,
    hint_json: str | None,
    conn: Connection,
    stop: Any,
    service: int,
    memory_limit_mb: int | None,
) -> None:
    """Entry point of a solve process: solve, send progress and the answer through `conn`."""
    _exit_with_service(service)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the service, which stops us
    os.nice(SOLVE_NICENESS)  # the HTTP side stays responsive while CP-SAT takes every core

    from optimizer.scenario import load_scenario
    from optimizer.solve import Progress, solve
    from optimizer.summary import solve_answer

    local_stop = threading.Event()

    def relay() -> None:
        stop.wait()
        local_stop.set()

    threading.Thread(target=relay, daemon=True).start()
    if memory_limit_mb:  # after the helper threads exist: they must not fail to start
        import resource

        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    last = [0.0]

    def progress(p: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2:
            return
        last[0] = now
        conn.send(
            (
                "progress",
                {
                    "elapsed": round(p.elapsed, 2),
                    "score": p.score,
                    "best_bound": p.bound,
                    "gap_pct": None if p.gap_pct is None else round(p.gap_pct, 4),
                    "solutions": p.solutions,
                },
            )
        )

    try:
        scenario = load_scenario(json.loads(scenario_json))
        conn.send(("started", {}))
        if isinstance(params, CompareJob):
            _compare_job(scenario, params, conn, local_stop)
            return
        from optimizer.plan import Plan
        from optimizer.simulate import simulate

        sent = [0.0]

        def incumbent(plan: Plan) -> None:
            """Each new checked plan, at most one a second, for the job to keep."""
            now = time.monotonic()
            if now - sent[0] < INCUMBENT_SECONDS:
                return
            sent[0] = now
            # kept in case the solve dies: section 8's sampling waits for the final plan
            evaluated = simulate(scenario, plan).apply_to(plan, chances=False)
            conn.send(("incumbent", {"plan": evaluated.model_dump_json()}))

        # a re-plan starts from the last plan carried forward, a requeued job from its last
        # incumbent; where it breaks rules now, the solve repairs it
        options = params.options(
            progress=progress,
            stop=local_stop,
            incumbent=incumbent,
            hint=None if hint_json is None else Plan.model_validate_json(hint_json),
        )
        result = solve(scenario, options)
        answer = solve_answer(scenario, result)
        conn.send(
            (
                "result",
                {
                    "status": answer.status,
                    "plan": answer.plan.model_dump_json(),
                    "summary": answer.summary,
                },
            )
        )
    except MemoryError:
        conn.send(("error", {"message": f"out of memory (limit {memory_limit_mb} MB)"}))
    except Exception as error:  # reported as the job's failure, in one line
        conn.send(("error", {"message": f"{type(error).__name__}: {error}"}))
    finally:
        conn.close()


def _compare_job(scenario: Any, params: CompareJob, conn: Connection, stop: Any) -> None:
    """A lever comparison in the job's process: progress per combination, the best
    combination's plan as the job's plan, the ranked table in the summary."""
    from optimizer.compare import Combination, CompareOptions, compare, levers_of
    from optimizer.summary import compare_answer

    started = time.monotonic()
    best: list[int | None] = [None]
    levers = levers_of(scenario) if params.levers is None else set(params.levers)

    def progress(done: int, total: int, combo: Combination) -> None:
        if combo.score is not None and (best[0] is None or combo.score > best[0]):
            best[0] = combo.score
        conn.send(
            (
                "progress",
                {
                    "elapsed": round(time.monotonic() - started, 2),
                    "score": best[0],
                    "solutions": done,  # solves: each combination once, then the race's
                    "combinations": 2 ** len(levers),
                },
            )
        )

    options = CompareOptions(
        time_limit=params.time_limit,
        processes=1,
        seed=params.seed,
        levers=params.levers,
        progress=progress,
        stop=stop,
    )
    comparison = compare(scenario, options)
    answer = compare_answer(scenario, comparison)
    result = {"status": answer.status, "plan": answer.plan.model_dump_json()}
    conn.send(("result", {**result, "summary": answer.summary}))


def _exit_with_service(service: int) -> None:
    """A solve must not outlive its service (SIGKILL gives the service no chance to stop it)."""

    def watch() -> None:
        while True:
            try:
                os.kill(service, 0)
            except ProcessLookupError:
                os._exit(3)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True).start()
