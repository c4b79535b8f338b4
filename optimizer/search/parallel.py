"""Neighbourhoods solved side by side: local processes by default, a Ray cluster when asked.

Each worker (a process of a local pool, or a Ray actor reserving the CPUs its CP-SAT workers
use) loads the scenario once and then re-optimizes the neighbourhoods it is sent, each with
its own sub-model (see `SubModels`), checking every plan it returns with the simulator.
The search sends a batch of neighbourhoods that free disjoint sets of people; the plans that
come back are combined person by person, and the combination is kept only when the simulator
finds it free of violations and better than each plan alone (two neighbourhoods may compete
for a coupling capacity such as `max_hires` or a town's pool); otherwise the best single plan
is kept.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed, wait
from typing import Any, Protocol

from ortools.sat.python import cp_model

from optimizer.deadline import Deadline
from optimizer.plan import Plan
from optimizer.search.neighbourhood import Neighbourhood, SubModels

log = logging.getLogger(__name__)

# plan JSON, the plan's score and territory totals, hood, seconds, workers, seed
Task = tuple[str, int, dict[str, tuple[int, int]], Neighbourhood, float, int, int]
# CP-SAT status code, the freed people's rows (a plan JSON) or None, the gain over the plan
Answer = tuple[cp_model.CpSolverStatus, str | None, int]


class Executor(Protocol):
    """Workers that each hold one object (a `SubSolver`, or the batch's `RegionSolver`) and
    answer its `solve(*task)`: local processes or Ray actors."""

    name: str
    processes: int

    def run(self, tasks: list[Any], deadline: Deadline | None = None) -> list[Any]: ...

    def each(self, tasks: list[Any]) -> Iterator[tuple[int, Any]]: ...

    def close(self, wait: bool = True) -> None: ...


class SubSolver:
    """One scenario, ready to re-optimize neighbourhoods of any plan of it."""

    def __init__(self, scenario_json: str) -> None:
        from optimizer.scenario import load_scenario

        self.models = SubModels(load_scenario(json.loads(scenario_json)))
        self._last: tuple[str, Plan] | None = None  # the plans of a batch are often the same

    def solve(
        self,
        plan_json: str,
        score: int,
        totals: dict[str, tuple[int, int]],
        hood: Neighbourhood,
        seconds: float,
        workers: int,
        seed: int,
    ) -> Answer:
        """The neighbourhood re-optimized; the caller checks the plan on the whole scenario
        (it simulates the combination anyway)."""
        if self._last is None or self._last[0] != plan_json:
            self._last = (plan_json, Plan.model_validate_json(plan_json))
        plan = self._last[1]
        # the sub-solve's seconds, and as much again for completing its hint (at most)
        step = self.models.solve(
            plan, (score, totals), hood, Deadline.after(2 * seconds), workers, seed
        )
        if step.plan is None or not step.gain:
            return step.code, None, 0
        freed = [a for a in step.plan.assignments if a.person in hood.persons]
        rows = plan.model_copy(update={"assignments": tuple(freed)})
        return step.code, rows.model_dump_json(), step.gain


_LOCAL: dict[str, SubSolver] = {}


def _init_local(worker: type, args: tuple[Any, ...]) -> None:
    import atexit

    atexit.register(leave_native_threads)
    _LOCAL["solver"] = worker(*args)


def leave_native_threads() -> None:
    """At a process's exit: if a thread is still inside native code (a HiGHS LP past its
    deadline cannot be interrupted), end the process at once, its output flushed. Left to
    the interpreter's teardown, the C++ runtime aborts with `terminate called without an
    active exception` while the answer was already given."""
    import contextlib
    import sys
    import threading
    from multiprocessing import util

    native = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.name.startswith("QueueFeederThread")
    ]
    if native:
        # multiprocessing's own exit first: its queues flush what they hold to the parent (a
        # private function: the one `atexit` would run, which `os._exit` skips)
        util._exit_function()  # type: ignore[attr-defined]  # private, untyped in typeshed
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(0)


def _solve_local(*task: Any) -> Any:
    return _LOCAL["solver"].solve(*task)


class LocalExecutor:
    """A pool of local processes, each holding one worker object."""

    name = "local"

    def __init__(self, processes: int, worker: type, args: tuple[Any, ...]) -> None:
        self.processes = processes
        self._pool = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=mp.get_context("spawn"),
            initializer=_init_local,
            initargs=(worker, args),
        )

    def run(self, tasks: list[Any], deadline: Deadline | None = None) -> list[Any]:
        """Every task's answer, in order; with a deadline, None for the tasks still running
        when it passes or its stop is set (their processes finish on their own limit)."""
        futures = [self._pool.submit(_solve_local, *task) for task in tasks]
        if deadline is None:
            return [f.result() for f in futures]
        pending = set(futures)
        while pending and not deadline.expired():
            _, pending = wait(pending, timeout=min(0.1, deadline.left() + 0.01))
        return [f.result() if f.done() else None for f in futures]

    def each(self, tasks: list[Any]) -> Iterator[tuple[int, Any]]:
        """Answers as they come, with the index of their task."""
        futures = {self._pool.submit(_solve_local, *task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self, wait: bool = True) -> None:
        """Shut the pool down; `wait=False` ends sub-solves still running (after a stop or a
        passed deadline their answers are no longer wanted)."""
        if not wait:
            # the pool offers no way to end a running task: its processes hold nothing to keep
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._pool.shutdown(wait=wait, cancel_futures=True)


class RayExecutor:
    """Ray actors, each holding the model and reserving `cpus` CPUs for its CP-SAT workers.
    `address=None` starts (or joins) a local Ray instance with this machine's CPUs."""

    name = "ray"

    def __init__(
        self,
        processes: int,
        worker: type,
        args: tuple[Any, ...],
        cpus: int = 1,
        address: str | None = None,
    ) -> None:
        try:
            import ray
        except ImportError:
            raise RuntimeError(
                "the Ray executor needs the optional extra: pip install 'ledokol[ray]'"
            ) from None
        self._ray = ray
        if not ray.is_initialized():
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(
                    num_cpus=os.cpu_count() or 1,
                    include_dashboard=False,
                    log_to_driver=False,
                )
        actor: Any = ray.remote(num_cpus=cpus)(worker)  # an actor class: Ray types it loosely
        self.processes = processes
        self._actors: list[Any] = [actor.remote(*args) for _ in range(processes)]

    def run(self, tasks: list[Any], deadline: Deadline | None = None) -> list[Any]:
        """Every task's answer, in order; with a deadline, None for those still running when
        it passes or its stop is set."""
        refs = [
            self._actors[i % len(self._actors)].solve.remote(*task) for i, task in enumerate(tasks)
        ]
        if deadline is None:
            return self._ray.get(refs)
        pending = list(refs)
        while pending and not deadline.expired():
            _, pending = self._ray.wait(pending, num_returns=len(pending), timeout=0.1)
        waiting = set(pending)
        return [None if ref in waiting else self._ray.get(ref) for ref in refs]

    def each(self, tasks: list[Any]) -> Iterator[tuple[int, Any]]:
        """Answers as they come: each actor gets its next task when it is done with one."""
        ray, pending = self._ray, list(enumerate(tasks))
        running: dict[Any, tuple[int, Any]] = {}
        idle = list(self._actors)
        while pending or running:
            while pending and idle:
                i, task = pending.pop(0)
                actor = idle.pop()
                running[actor.solve.remote(*task)] = (i, actor)
            done, _ = ray.wait(list(running), num_returns=1)
            i, actor = running.pop(done[0])
            idle.append(actor)
            yield i, ray.get(done[0])

    def close(self, wait: bool = True) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []


def make_executor(
    kind: str,
    scenario_json: str | None,
    processes: int,
    cpus: int = 1,
    address: str | None = None,
    worker: type = SubSolver,
    args: tuple[Any, ...] | None = None,
) -> Executor:
    """`processes` workers holding `worker(*args)` (default: a `SubSolver` of the scenario)."""
    args = (scenario_json,) if args is None else args
    if kind == "local":
        return LocalExecutor(processes, worker, args)
    if kind == "ray":
        return RayExecutor(processes, worker, args, cpus, address)
    raise ValueError(f"executor must be local or ray, got {kind!r}")


def combine(incumbent: Plan, results: list[tuple[Neighbourhood, Plan]]) -> Plan:
    """The incumbent with each neighbourhood's people taken from that neighbourhood's plan."""
    owner: dict[str, Plan] = {}
    for hood, plan in results:
        for person in hood.persons:
            owner[person] = plan
    found = {
        (a.person, a.period): a
        for person, plan in owner.items()
        for a in plan.assignments
        if a.person == person
    }
    rows = []  # the incumbent's order; a freed person's rows come from his neighbourhood's plan
    for a in incumbent.assignments:
        if a.person not in owner:
            rows.append(a)
        elif (a.person, a.period) in found:
            rows.append(found.pop((a.person, a.period)))
    rows.extend(found.values())  # positions filled only now
    return Plan(
        scenario=incumbent.scenario,
        assignments=tuple(rows),
        bonus_levels=incumbent.bonus_levels,
    )
