"""Large-neighbourhood search over the exact CP-SAT model.

Start from the checked warm start (the better of the greedy plan and the status quo). Then,
again and again, free a neighbourhood — a region of nearby territories and the people working
or based there; a time window; the hunters and farmers of one prospect pool; a random group —
fix every other decision to the incumbent (a sub-model: the fixed cells are constants, so only
the neighbourhood and the territories it can touch are variables; see `SubModels`), and let
CP-SAT re-optimize the neighbourhood under a short limit, completely hinted with the
incumbent. A result becomes the incumbent only when the simulator finds it free of
violations and scores it as the model does (an improvement, or an equal plan, which moves the
search along a plateau). Each kind's neighbourhood grows when CP-SAT proves it holds nothing
better and shrinks when it cannot finish in time. The coupling rules (company goals,
`max_hires`, hires per period, trainer capacity, the bonus level) hold by construction: every
sub-solve is the whole model with part of it fixed.

The bound reported is the tighter of the LP relaxation's (HiGHS, computed beside the search
up to ~100k variables) and the capacity bound (`optimizer.search.capacity`, any size): a true
gap.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from optimizer.deadline import Deadline, Stopped
from optimizer.model import Built, build_model
from optimizer.model.solution import ortools_version
from optimizer.plan import OFF, Cell, Plan, SolverInfo, SolverStatus
from optimizer.result import ExecutorKind, Progress, SolveResult, make_result, relative_gap_pct
from optimizer.scenario import Scenario
from optimizer.search.bound import LP_MAX_VARIABLES, LpBound, lp_bound_of, snapshot
from optimizer.search.capacity import capacity_bound
from optimizer.search.flow import FLOW_MAX_COLUMNS, flow_bound, flow_columns
from optimizer.search.neighbourhood import Neighbourhood, SubModels
from optimizer.search.scope import territory_totals
from optimizer.simulate import Evaluation, simulate
from optimizer.verify import SolveBug

log = logging.getLogger(__name__)

KINDS = ("region", "window", "pool", "random")
# with the model's LP solved beside the search: the people whose LP schedules differ most from
# the incumbent's (the relaxation's guide to where better plans lie)
GUIDED = "relaxed"


@dataclass
class LnsStats:
    iterations: int = 0
    improvements: int = 0
    tried: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    improved: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    size: dict[str, float] = field(default_factory=dict)
    sub_time_limit: float = 1.0

    def line(self) -> str:
        kinds = ", ".join(
            f"{k} {self.improved[k]}/{self.tried[k]} (size {self.size.get(k, 0):.0f})"
            for k in self.size
            if self.tried[k]
        )
        return f"{self.iterations} neighbourhoods, {self.improvements} improvements: {kinds}"


# a step ends before the deadline by the time its whole-plan check takes (the longest so far,
# with a margin for its variance) and the answer; the tidy national solve still answers 0.97 s
# past its 600 s limit with it (cause not found: not the check, not `make_result`)
CHECK_MARGIN = 1.25
ANSWER_SECONDS = 0.1


@dataclass
class LnsOptions:
    """How to search. `workers` are CP-SAT's per sub-solve (default: every CPU)."""

    time_limit: float = 60.0
    workers: int | None = None
    seed: int = 0
    gap_pct: float | None = None
    sub_time_limit: float = 1.0  # first limit per neighbourhood; adapted as the search goes
    max_sub_time_limit: float = 30.0
    stagnation: int | None = None  # neighbourhoods without improvement before giving up
    lp_bound: bool = True
    # the relaxation's neighbourhoods, where the model's LP is solved (a trial: off, as 60 s
    # on crimea and M showed no gain, docs/search.md)
    guided: bool = False
    progress: Callable[[Progress], None] | None = None
    stats: Callable[[LnsStats], None] | None = None
    incumbent: Callable[[Plan], None] | None = None  # each new checked plan
    stop: threading.Event | None = None
    hint: Plan | None = None
    # side by side: "local" (a process pool) or "ray"; None solves one neighbourhood at a time
    executor: ExecutorKind | None = None
    processes: int | None = None  # parallel sub-solves (default: CPUs / workers)
    address: str | None = None  # a Ray cluster; None starts a local instance
    known_bound: int | None = None  # a bound proven before (e.g. by a CP-SAT phase)


class _Search:
    def __init__(self, s: Scenario, options: LnsOptions, started: float) -> None:
        self.s = s
        self.options = options
        self.started = started
        self.rng = random.Random(options.seed)
        self.models = SubModels(s)
        self.may_work = self.models.may_work
        self.persons = [p.id for p in s.persons]
        self.near: dict[str, list[str]] = {}  # seed -> territories by distance, when asked
        self.based: dict[str, set[str]] = defaultdict(set)  # territory -> people based there
        for person in s.persons:
            self.based[person.home].add(person.id)
        n = len(self.persons)
        self.stats = LnsStats(sub_time_limit=options.sub_time_limit)
        start_size = max(2.0, min(n, 8.0))
        self.kinds: tuple[str, ...] = KINDS
        # (person, period) -> cell -> its value in the LP's solution, once the LP is solved
        self.relaxed: dict[tuple[str, int], dict[Cell, float]] | None = None
        self.stats.size = dict.fromkeys((*KINDS, GUIDED), start_size)
        self.stats.size["window"] = max(1.0, s.periods / 4)

    # -- neighbourhoods -----------------------------------------------------------------------

    def _nearest(self, tid: str) -> list[str]:
        s = self.s
        here = s.territory_by_id[tid]

        def km(other: str) -> float:
            t = s.territory_by_id[other]
            if here.lat is None or t.lat is None or here.lon is None or t.lon is None:
                return math.inf
            dlat = math.radians(t.lat - here.lat)
            dlon = math.radians(t.lon - here.lon) * math.cos(math.radians((t.lat + here.lat) / 2))
            return 6371.0 * math.hypot(dlat, dlon)

        return sorted((t.id for t in s.territories), key=lambda o: (o != tid, km(o), o))

    def neighbourhood(self, kind: str, plan: Plan) -> Neighbourhood:
        size = max(1, round(self.stats.size[kind]))
        works: dict[str, set[str]] = defaultdict(set)
        for a in plan.assignments:
            if a.territory is not None:
                works[a.territory].add(a.person)
        rng = self.rng
        if kind == "window":
            width = min(self.s.periods, size)
            first = rng.randrange(0, self.s.periods - width + 1)
            periods = frozenset(range(first, first + width))
            if len(self.persons) <= 40:
                return Neighbourhood(kind, frozenset(), periods)
            # large scenarios: a window over a region, not over everyone
            region = self._region(self._seed(works), 40, works)
            return Neighbourhood(kind, frozenset(region), periods, both=True)
        if kind == "region":
            return Neighbourhood(kind, frozenset(self._region(self._seed(works), size, works)))
        if kind == GUIDED and self.relaxed is not None:
            return Neighbourhood(kind, frozenset(self._relaxed(plan, size)))
        if kind == "pool":
            t = self._seed(works)
            chosen = set(works[t])
            others = sorted(self.may_work[t] - chosen)
            rng.shuffle(others)
            chosen.update(others[: max(0, size - len(chosen))])
            return Neighbourhood(kind, frozenset(chosen))
        return Neighbourhood(
            kind, frozenset(rng.sample(self.persons, min(size, len(self.persons))))
        )

    def batch(self, plan: Plan, count: int, first: int) -> list[Neighbourhood]:
        """Up to `count` neighbourhoods of people (no windows) that free no one twice."""
        chosen: list[Neighbourhood] = []
        taken: set[str] = set()
        kinds = [k for k in self.kinds if k != "window"]
        for attempt in range(count * 10):
            if len(chosen) == count:
                break
            hood = self.neighbourhood(kinds[(first + attempt) % len(kinds)], plan)
            if hood.persons and not hood.persons & taken:
                chosen.append(hood)
                taken |= hood.persons
        return chosen

    def _relaxed(self, plan: Plan, size: int) -> set[str]:
        """`size` people drawn with weights: how much of each one's LP schedule lies away
        from the incumbent's cells (sum over periods of 1 - the LP's value of that cell)."""
        assert self.relaxed is not None
        chosen = {(a.person, a.period): Cell(a.role, a.territory) for a in plan.assignments}
        away: dict[str, float] = defaultdict(float)
        for (person, p), values in self.relaxed.items():
            away[person] += max(0.0, 1.0 - values.get(chosen.get((person, p), OFF), 0.0))
        weighted = [x for x in self.persons if away[x] > 1e-6]
        if len(weighted) < size:  # the LP agrees with the incumbent nearly everywhere
            rest = [x for x in self.persons if x not in set(weighted)]
            self.rng.shuffle(rest)
            return set(weighted) | set(rest[: size - len(weighted)])
        # weighted sampling without replacement: the largest u ** (1 / w)
        keys = {x: self.rng.random() ** (1.0 / away[x]) for x in weighted}
        return set(sorted(weighted, key=lambda x: -keys[x])[:size])

    def _seed(self, works: dict[str, set[str]]) -> str:
        active = sorted(t for t, people in works.items() if people)
        pool = active or [t.id for t in self.s.territories]
        return self.rng.choice(pool)

    def _region(self, seed: str, size: int, works: dict[str, set[str]]) -> set[str]:
        chosen: set[str] = set()
        if seed not in self.near:
            self.near[seed] = self._nearest(seed)
        for t in self.near[seed]:
            chosen |= works.get(t, set())
            chosen |= self.based.get(t, set())
            if len(chosen) >= size:
                break
        return chosen


def _cell_columns(built: Built) -> dict[tuple[str, int], dict[Cell, int]]:
    """Each working cell's column in the model (-1 for a cell fixed to 0, -2 fixed to 1)."""
    out: dict[tuple[str, int], dict[Cell, int]] = {}
    for key, lits in built.build.vars.cells.items():
        out[key] = {
            cell: (-2 if lit else -1) if isinstance(lit, int) else lit.Index()
            for cell, lit in lits.items()
        }
    return out


def _cell_values(
    where: dict[tuple[str, int], dict[Cell, int]], values: np.ndarray
) -> dict[tuple[str, int], dict[Cell, float]]:
    """The LP's value of every cell."""
    return {
        key: {
            cell: 1.0 if col == -2 else 0.0 if col == -1 else float(values[col])
            for cell, col in cols.items()
        }
        for key, cols in where.items()
    }


def lns_solve(
    s: Scenario,
    options: LnsOptions | None = None,
    deadline: Deadline | None = None,
    start: tuple[Plan, Evaluation] | None = None,
) -> SolveResult:
    """Improve a checked feasible start neighbourhood by neighbourhood until the deadline,
    the gap, stagnation or the stop. Without `start`, the warm start and repair stages make
    one; without a feasible one the answer has no plan (the pipeline then searches the whole
    model)."""
    options = options or LnsOptions()
    deadline = deadline or Deadline.after(options.time_limit, options.stop)
    workers = options.workers or os.cpu_count() or 1
    info = SolverInfo(
        name="cp-sat-lns", version=ortools_version(), workers=workers, seed=options.seed
    )
    if start is None:
        from optimizer.warm import feasible_start

        found = feasible_start(s, options.hint, deadline, workers=workers, seed=options.seed)
        if found.plan is None or found.evaluation is None:
            return found.without_plan(deadline.elapsed(), info)
        start = (found.plan, found.evaluation)
    search = _Search(s, options, deadline.started)
    bound_box: dict[str, LpBound] = {}
    bound_thread = None
    cells = sum(len(options_) for options_ in search.models.domains.cells.values())
    guided = options.guided and cells <= LP_MAX_VARIABLES and options.executor is None
    if options.lp_bound or guided:
        # the model's own LP where it solves (the whole model is ~1.1 x its cells), else the
        # flow LP: both beside the search
        # built before the search (measured on M: built beside it, in a thread, the LP no
        # longer finished within 60 s and the search ran 17 neighbourhoods instead of 31)
        frozen = None
        where: dict[tuple[str, int], dict[Cell, int]] = {}
        if cells <= LP_MAX_VARIABLES:
            try:
                whole = build_model(s, deadline=deadline)
                frozen = snapshot(whole.model)
                where = _cell_columns(whole) if guided else {}
            except Stopped:
                frozen = None
        domains = search.models.domains
        limit = max(0.5, deadline.left() * 0.9)

        def compute_bound() -> None:
            try:
                if frozen is not None:
                    lp = lp_bound_of(frozen, time_limit=limit, values=bool(where))
                    bound_box["lp"] = lp
                    if where and lp.values is not None:
                        search.relaxed = _cell_values(where, lp.values)
                elif cells > LP_MAX_VARIABLES and flow_columns(s, domains) <= FLOW_MAX_COLUMNS:
                    bound_box["lp"] = flow_bound(s, domains, time_limit=limit)
            except Exception:  # a bound is a bonus: never fail the search for it
                log.exception("LP relaxation failed")

        bound_thread = threading.Thread(target=compute_bound, name="ledokol-lp-bound", daemon=True)
        bound_thread.start()
        if guided:
            search.kinds = (*KINDS, GUIDED)

    warm_eval = start[1]
    plan, evaluation = start
    since_improvement = 0
    stagnation = options.stagnation or max(60, 6 * len(KINDS))
    kind_cycle = 0

    capacity = capacity_bound(s, search.models.domains)

    def bound() -> int | None:
        lp = bound_box.get("lp")
        known = [options.known_bound, capacity, None if lp is None else lp.bound]
        return min(b for b in known if b is not None)

    def report(current: Evaluation | None = None, new_plan: Plan | None = None) -> None:
        shown = current or evaluation
        if options.progress is not None:
            b = bound()
            options.progress(
                Progress(
                    elapsed=deadline.elapsed(),
                    score=shown.score,
                    bound=b,
                    gap_pct=None if b is None else relative_gap_pct(shown.score, b),
                    solutions=search.stats.improvements,
                )
            )
        if options.stats is not None:
            options.stats(search.stats)
        if new_plan is not None and options.incumbent is not None:
            options.incumbent(new_plan)

    report()
    if options.executor is not None:
        plan, evaluation = _parallel(s, search, options, plan, evaluation, deadline, report, bound)
        info = info.model_copy(update={"name": f"cp-sat-lns-{options.executor}"})
    while options.executor is None:
        if deadline.left() <= 0.05:
            break
        b = bound()
        if (
            options.gap_pct is not None
            and b is not None
            and relative_gap_pct(evaluation.score, b) <= options.gap_pct
        ):
            break
        if since_improvement >= stagnation:
            log.info("LNS: no improvement in %d neighbourhoods; stopping", since_improvement)
            break
        kind = search.kinds[kind_cycle % len(search.kinds)]
        kind_cycle += 1
        hood = search.neighbourhood(kind, plan)
        if not hood.persons and not hood.periods:
            continue
        t_sub = time.monotonic()
        step = search.models.solve(
            plan,
            evaluation,
            hood,
            # the sub-solve's limit, and as much again for completing its hint (at most)
            deadline.child(
                at_most=2 * search.stats.sub_time_limit,
                reserve=CHECK_MARGIN * search.models.check_seconds + ANSWER_SECONDS,
            ),
            workers,
            options.seed + search.stats.iterations,
        )
        code = step.code
        log.debug("LNS %s: %s in %.2f s", kind, code, time.monotonic() - t_sub)
        search.stats.iterations += 1
        search.stats.tried[kind] += 1
        improved = False
        if step.evaluation is not None and step.evaluation.score >= evaluation.score:
            assert step.plan is not None
            improved = step.evaluation.score > evaluation.score
            plan, evaluation = step.plan, step.evaluation
        size = search.stats.size
        if improved:
            search.stats.improvements += 1
            search.stats.improved[kind] += 1
            since_improvement = 0
        else:
            since_improvement += 1
            if code == cp_model.OPTIMAL:
                size[kind] = min(size[kind] * 1.25 + 1, _limit(s, kind))
            elif code in (cp_model.FEASIBLE, cp_model.UNKNOWN):
                size[kind] = max(1.0, size[kind] * 0.8)
        if code == cp_model.UNKNOWN and not deadline.expired():
            # not even the hint came back: give sub-solves more time
            search.stats.sub_time_limit = min(
                options.max_sub_time_limit, search.stats.sub_time_limit * 2
            )
        report(new_plan=plan if improved else None)

    if bound_thread is not None:
        bound_thread.join(timeout=deadline.left())
    b = bound()
    if b is not None and b < evaluation.score:
        raise SolveBug(f"bound {b} below a checked plan's score {evaluation.score}")
    gap = None if b is None else relative_gap_pct(evaluation.score, b)
    status: SolverStatus = "OPTIMAL" if gap is not None and gap == 0 else "FEASIBLE"
    log.info("LNS: %s", search.stats.line())
    result = make_result(
        s, status, plan, evaluation, b, deadline.elapsed(), info, warm_eval=warm_eval
    )
    result.search = search.stats.line()
    return result


def _parallel(
    s: Scenario,
    search: _Search,
    options: LnsOptions,
    plan: Plan,
    evaluation: Evaluation,
    deadline: Deadline,
    report: Callable[..., None],
    bound: Callable[[], int | None],
) -> tuple[Plan, Evaluation]:
    """Batches of disjoint neighbourhoods on an executor; results combined, always checked.
    A batch still running when the deadline passes or the stop is set is abandoned."""
    from optimizer.search.parallel import make_executor

    processes = options.processes or max(1, (os.cpu_count() or 1) // (options.workers or 1))
    executor = make_executor(
        options.executor or "local",
        s.model_dump_json(),
        processes,
        cpus=options.workers or 1,
        address=options.address,
    )
    stats = search.stats
    since_improvement = 0
    stagnation = options.stagnation or max(60, 6 * len(KINDS))
    try:
        while True:
            left = deadline.left()
            if left <= 0.05:
                break
            b = bound()
            close = b is not None and relative_gap_pct(evaluation.score, b) <= (
                options.gap_pct if options.gap_pct is not None else -1.0
            )
            if close or since_improvement >= stagnation:
                break
            hoods = search.batch(plan, processes, stats.iterations)
            if not hoods:
                break
            seconds = min(left, stats.sub_time_limit)
            plan_json, totals = plan.model_dump_json(), territory_totals(evaluation)
            answers = executor.run(
                [
                    (plan_json, evaluation.score, totals, hood, seconds, options.workers or 1, seed)
                    for seed, hood in enumerate(hoods, start=options.seed + stats.iterations)
                ],
                deadline,
            )
            found: list[tuple[Neighbourhood, Plan, int]] = []
            for hood, answer in zip(hoods, answers, strict=True):
                if answer is None:
                    continue  # abandoned at the deadline
                code, rows_json, gain = answer
                stats.iterations += 1
                stats.tried[hood.kind] += 1
                size = stats.size
                if code == cp_model.OPTIMAL:
                    size[hood.kind] = min(size[hood.kind] * 1.25 + 1, _limit(s, hood.kind))
                else:
                    size[hood.kind] = max(1.0, size[hood.kind] * 0.8)
                if code == cp_model.UNKNOWN:
                    stats.sub_time_limit = min(options.max_sub_time_limit, stats.sub_time_limit * 2)
                if rows_json is not None and gain > 0:
                    found.append((hood, Plan.model_validate_json(rows_json), gain))
            best = _accept(s, plan, evaluation, found)
            if best is None:
                since_improvement += len(hoods)
                report(evaluation)
            else:
                plan, evaluation, kind = best
                stats.improvements += 1
                stats.improved[kind] += 1
                since_improvement = 0
                report(evaluation, plan)
    finally:
        executor.close(wait=not deadline.expired())
    return plan, evaluation


def _accept(
    s: Scenario, plan: Plan, evaluation: Evaluation, found: list[tuple[Neighbourhood, Plan, int]]
) -> tuple[Plan, Evaluation, str] | None:
    """The incumbent with every neighbourhood's better rows, when the simulator confirms the
    sum of their gains; otherwise the best single one it confirms. A single neighbourhood's
    plan that the simulator scores other than its gain says is a bug, raised."""
    from optimizer.search.parallel import combine

    if not found:
        return None
    found = sorted(found, key=lambda f: -f[2])
    if len(found) >= 2:
        merged = combine(plan, [(hood, rows) for hood, rows, _ in found])
        checked = simulate(s, merged)
        # neighbourhoods may compete for a coupling capacity (hires, trainers, a goal)
        if checked.feasible and checked.score > evaluation.score + found[0][2]:
            return merged, checked, found[0][0].kind
    hood, rows, gain = found[0]
    single = combine(plan, [(hood, rows)])
    checked = simulate(s, single)
    if not checked.feasible or checked.score != evaluation.score + gain:
        raise SolveBug(
            f"a {hood.kind} neighbourhood's plan should gain {gain}, the simulator says "
            f"{checked.score - evaluation.score} ({len(checked.violations)} violations)"
        )
    return single, checked, hood.kind


def _limit(s: Scenario, kind: str) -> float:
    return float(s.periods if kind == "window" else len(s.persons))
