"""Why is this person here this month? Every alternative state of one person-month, priced:
for each one the rules allow, the best plan found with that cell forced (the plan with just
that cell changed, then small neighbourhoods of the plan re-solved around the forced cell,
then, with time left, the plan repaired around it, `optimizer.repair`), scored by the
simulator, with the change of every KPI term against the plan and its gap to the plan's
proven bound; for each one the rules forbid, the rule that forbids it, in words.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from optimizer.deadline import Deadline
from optimizer.model.solution import add_hint, extract_plan, run
from optimizer.plan import BENCH, OFF, TRAINEE, Assignment, Cell, Plan, State
from optimizer.repair import changes_between, helpers, repair
from optimizer.scenario import InvalidInput, Scenario
from optimizer.search.neighbourhood import Neighbourhood, SubModels
from optimizer.search.scope import scope_of, territory_totals
from optimizer.simulate import Evaluation, simulate
from optimizer.simulate.territory import trainees_fit
from optimizer.verify import check

TERMS = (
    "margin_total",
    "terminal",
    "salaries",
    "hiring_cost",
    "travel",
    "bonus_cost",
    "handover",
    "switches",
    "bench",
    "penalties",
)
SIGN = {"margin_total": 1, "terminal": 1}  # the others are costs: their growth lowers the score
QUICK_WINDOW = 1  # months each side of the cell that the quick pass frees for everyone near
QUICK_WORK = 0.02  # CP-SAT's deterministic seconds for a quick price's first plan
BEST_WORK = 0.05  # and for its best plan, when there is time
# territories whose alternatives share one quick sub-model (L's r150, 83 alternatives priced
# in 12.4 s a territory a model, 9.5 s three a model; the prices the same)
QUICK_GROUP = 3


@dataclass(frozen=True)
class Alternative:
    """One state the person-month could have instead."""

    cell: Cell
    status: str  # "plan" (the plan's own), "priced", "impossible", "unknown" (no plan in time)
    score: int | None = None
    delta: int | None = None  # score - the plan's score
    terms: dict[str, int] = field(default_factory=dict)  # each term's effect on the score
    changed: int = 0  # other person-months the re-solve moved
    reason: str | None = None  # impossible: the rule, in words
    plan: Plan | None = None
    how: str | None = None  # priced by the "quick" pass or the "deep" one
    gap_pct: float | None = None  # at most this far below the best plan (the plan's bound)

    def as_dict(self) -> dict[str, object]:
        return {
            "role": self.cell.role,
            "territory": self.cell.territory,
            "status": self.status,
            "score": self.score,
            "delta": self.delta,
            "terms": self.terms,
            "changed": self.changed,
            "reason": self.reason,
            "how": self.how,
            "gap_pct": self.gap_pct,
        }


@dataclass(frozen=True)
class Why:
    person: str
    period: int
    cell: Cell
    score: int
    alternatives: tuple[Alternative, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "person": self.person,
            "period": self.period,
            "role": self.cell.role,
            "territory": self.cell.territory,
            "score": self.score,
            "alternatives": [a.as_dict() for a in self.alternatives],
        }


def why(
    s: Scenario,
    plan: Plan,
    person: str,
    period: int,
    deadline: Deadline,
    workers: int = 1,
    seed: int = 0,
    deep: bool = True,
) -> Why:
    """Every alternative of `person` in `period`, best first; `plan` must keep every rule.

    Passes, each in the time the one before leaves, each price only ever replaced by a better:

    1. **as is**: the plan with just that cell changed, priced exactly in the sub-scenario of
       the territories it touches when it keeps every rule (milliseconds each: every
       alternative has a price early on any size of plan); a hunter cell that makes a stint
       too short, with the stint extended around the month to the minimum;
    2. **quick**, in small sub-models, one per few nearby territories (`QUICK_GROUP`): the
       person free all year, those who may have to step in (in his territories and where the
       alternatives go) free around the cell (`QUICK_WINDOW`; the whole year for a working
       role specialization makes him hold all year), everyone freed kept to the territories
       at stake; the cell forced in turn. First, for each alternative that breaks a rule as
       is, the first plan that keeps every rule (`QUICK_WORK`), over the whole horizon if
       there is none around the cell; then for every alternative, around the cell first,
       the best plan the sub-model gives in `BEST_WORK`. Both are CP-SAT's deterministic
       time: the same answer on any machine;
    3. with `deep`, a repair of each alternative's own scenario (the cell as a lock, the
       people it displaces re-optimized over the whole year), which finds the structural
       answers the sub-models cannot; a proof that no plan keeps every rule with the cell
       marks it impossible."""
    # the scenario, its domains and the plan are hundreds of thousands of objects on 400
    # reps, and every full collection walks them all: out of the collector's way for the
    # answer (measured on L: the first plans 10 % sooner, no 0.1 s pauses)
    gc.freeze()
    try:
        return _why(s, plan, person, period, deadline, workers, seed, deep)
    finally:
        gc.unfreeze()


def _why(
    s: Scenario,
    plan: Plan,
    person: str,
    period: int,
    deadline: Deadline,
    workers: int,
    seed: int,
    deep: bool,
) -> Why:
    if person not in s.person_by_id:
        raise InvalidInput("unknown person", [f"person: no rep or position '{person}'"])
    if not 0 <= period < s.periods:
        raise InvalidInput(
            "period out of range", [f"period: {period} is outside 0..{s.periods - 1}"]
        )
    base = simulate(s, plan)
    if not base.feasible:
        raise InvalidInput(
            "the plan breaks rules",
            [f"plan: {len(base.violations)} broken rule(s); repair it first (ledokol repair)"],
        )
    rows = {(a.person, a.period): a for a in plan.assignments}
    here = rows.get((person, period))
    current = Cell(here.role, here.territory) if here is not None else Cell("off")
    models = SubModels(s)
    allowed = {c for c in models.domains.of(person, period) if not _starved(s, period, c)}
    candidates = [c for c in _every_cell(s, person) if c != current]
    # nearest first: when the time runs out, the alternatives left unpriced are the far ones
    priced = sorted((c for c in candidates if c in allowed), key=lambda c: _distance(s, person, c))
    bound = (
        plan.best_bound if plan.best_bound is not None and plan.best_bound >= base.score else None
    )
    found: dict[Cell, Alternative] = {}
    # a new working role under specialization changes the person's whole year: such cells
    # share a sub-model whose window is the horizon, the others one around the cell
    roles = {a.role for a in plan.assignments if a.person == person and a.territory is not None}
    year = s.policy.specialization_on and bool(roles)
    # first every alternative as is: the plan with just that cell changed, when it keeps every
    # rule, priced exactly in a sub-scenario of the territories it touches (milliseconds each:
    # every alternative has a price early, whatever the size of the plan)
    totals = territory_totals(base)
    stint_only: list[Cell] = []  # those that break nothing but the minimum hunter stint
    for cell in priced:
        if deadline.expired():
            break
        alone, broken = _try_as_is(models, plan, base, totals, person, period, current, cell, bound)
        if alone is not None:
            found[cell] = alone
        elif broken == {"rotation.stint_min"}:
            stint_only.append(cell)
    # a hunter stint one month long breaks the rotation's minimum: the same plan with the
    # stint made long enough around the month (his own months alone), the best of those that
    # keep every rule
    for cell in stint_only:
        if deadline.expired():
            break
        longer = [
            _try_as_is(models, plan, base, totals, person, period, current, cell, bound, months)[0]
            for months in _stints(s, period, cell)
            if all(cell in models.domains.of(person, q) for q in months)
        ]
        kept = [a for a in longer if a is not None]
        if kept:
            found[cell] = _better(None, max(kept, key=lambda a: a.score or 0), cell)
    # then re-solves, in small sub-models (one for the alternatives in a few nearby
    # territories), nearest first and those with no price as is before the others: first,
    # for each alternative that breaks a rule as is, its first plan that keeps every rule;
    # then, with the time left, the best plan each sub-model finds in its work
    again = sorted(priced, key=lambda c: c in found)  # stable: nearest first within each
    resolves = _Resolves(models, plan, base, person, period, bound, again, year, roles)
    for cell in again:
        if cell not in found:
            found[cell] = _better(None, resolves.price(cell, deadline, best=False), cell)
    # those with no plan around the cell, over the year (someone else's stint may have to
    # move by a month: L's r01 as a hunter in ZHU3, 40 ms here, 32 s in the deep pass)
    for cell in again:
        if found[cell].score is None and not resolves.role_year(cell):
            found[cell] = _better(None, resolves.price(cell, deadline, False, again=True), cell)
    # those still with no price first, then around the cell (a tenth of a second each; a
    # year's sub-model takes a few)
    for cell in sorted(again, key=lambda c: (found[c].score is not None, resolves.role_year(c))):
        found[cell] = _better(found[cell], resolves.price(cell, deadline, best=True), cell)
    if deep:
        # the deep pass, the best quick prices first (the ones a planner weighs), then those
        # the quick pass could not price
        order = sorted(priced, key=lambda c: (found[c].score is None, -(found[c].score or 0)))
        for i, cell in enumerate(order):
            if deadline.expired():
                break
            child = deadline.child(share=1.0 / (len(order) - i))
            deeper = _deep(s, plan, base, person, period, cell, child, workers, seed, bound)
            mine = found[cell]
            if (deeper.status == "impossible" and mine.score is None) or (
                deeper.score is not None and (mine.score is None or deeper.score > mine.score)
            ):
                found[cell] = deeper
    out: list[Alternative] = [
        Alternative(current, "plan", base.score, 0, gap_pct=_gap(base.score, bound))
    ]
    out += [found[c] for c in priced]
    out += [
        Alternative(c, "impossible", reason=_forbidden(s, person, period, c))
        for c in candidates
        if c not in allowed
    ]
    rank = {"plan": 0, "priced": 0, "unknown": 1, "impossible": 2}
    out.sort(key=lambda a: (rank[a.status], -(a.score if a.score is not None else 0)))
    return Why(person, period, current, base.score, tuple(out))


def _starved(s: Scenario, period: int, cell: Cell) -> bool:
    """Hunting the cell's territory in `period` breaks prospect supply whatever the plan: the
    pool never holds more than its start plus the inflow of the months before."""
    need = s.policy.min_prospects_per_hunter
    if cell.role != "hunter" or cell.territory is None or need <= 0:
        return False
    t = s.territory_by_id[cell.territory]
    return t.prospects + period * t.prospect_inflow < need


def _every_cell(s: Scenario, person: str) -> list[Cell]:
    who = s.person_by_id[person]
    cells = [BENCH, TRAINEE]
    for t in s.territories:
        for role in ("hunter", "farmer"):
            if role in who.roles:
                cells.append(Cell(role, t.id))
    return cells


class _Resolves:
    """The quick pass's re-solves: the sub-model of each alternative (built on first use, one
    per `QUICK_GROUP` territories in the order given), and the time its steps take.

    Three kinds of sub-model: "local" (the window around the cell, everyone freed kept to the
    territories at stake), "role" (a new working role under specialization changes the
    person's whole year: the window is the horizon) and "year" (a local alternative with no
    plan around the cell tried again over the horizon, still kept to the territories at
    stake: a stint of someone else's moved by a month)."""

    def __init__(
        self,
        models: SubModels,
        plan: Plan,
        base: Evaluation,
        person: str,
        period: int,
        bound: int | None,
        order: list[Cell],
        year: bool,
        roles: set[State],
    ) -> None:
        self.models, self.plan, self.base, self.bound = models, plan, base, bound
        self.person, self.period, self.year, self.roles = person, period, year, roles
        self.group: dict[tuple[bool, str | None], int] = {}
        for cell in order:
            key = (self.role_year(cell), cell.territory)
            if key not in self.group:
                self.group[key] = sum(1 for w, _ in self.group if w == key[0])
        self.built: dict[tuple[str, int], _Quick] = {}
        # the longest of each step so far, in seconds: a step is not begun without its time
        self.longest = {"build": 0.0, "first": 0.0, "best": 0.0}

    def role_year(self, cell: Cell) -> bool:
        """Whether the cell is a new working role under specialization (a whole year's)."""
        return self.year and cell.territory is not None and cell.role not in self.roles

    def price(
        self, cell: Cell, deadline: Deadline, best: bool, again: bool = False
    ) -> Alternative | None:
        """Re-solve one alternative: its first plan that keeps every rule, or with `best`
        the best plan the sub-model gives in its work; with `again`, a local one over the
        horizon. None when there is no time for it (the answer keeps its deadline instead of
        overrunning it by a sub-model) or no plan."""
        whole = self.role_year(cell)
        index = self.group[(whole, cell.territory)] // QUICK_GROUP
        kind = "role" if whole else "year" if again else "local"
        key = (kind, index)
        step = "best" if best else "first"
        need = self.longest[step] + (self.longest["build"] if key not in self.built else 0.0)
        if deadline.expired() or deadline.left() < need:
            return None
        started = time.monotonic()
        if key not in self.built:
            s = self.models.s
            around = range(
                max(0, self.period - QUICK_WINDOW), min(s.periods, self.period + QUICK_WINDOW + 1)
            )
            visits = frozenset(
                t
                for (w, t), k in self.group.items()
                if t is not None and w == whole and k // QUICK_GROUP == index
            )
            self.built[key] = _Quick(
                self.models,
                self.plan,
                self.base,
                self.person,
                self.period,
                self.bound,
                around if kind == "local" else range(s.periods),
                visits,
                narrow=kind != "role",
            )
            self.longest["build"] = max(self.longest["build"], time.monotonic() - started)
            started = time.monotonic()
        # each re-solve ends by its deterministic work, so it may run to the deadline
        found = self.built[key].price(cell, deadline, best)
        self.longest[step] = max(self.longest[step], time.monotonic() - started)
        return found


class _Quick:
    """One sub-model for some alternatives of a person-month: the person free all year, and
    in the `window` those who work in his territories, and around the cell those in the
    territories he `visits`, with a few who may farm each (`optimizer.repair.helpers`); with
    `narrow`, everyone freed kept to those territories, the bench and training. An
    alternative is its cell's literal fixed to 1 for one re-solve."""

    def __init__(
        self,
        models: SubModels,
        plan: Plan,
        base: Evaluation,
        person: str,
        period: int,
        bound: int | None,
        window: range,
        visits: frozenset[str],
        narrow: bool,
    ) -> None:
        s = models.s
        self.s, self.plan, self.base, self.bound = s, plan, base, bound
        self.narrow = narrow
        self.person, self.period = person, period
        # who may have to step in where the person leaves: those working in his territories
        # in the window's months, and a few who may farm them (those based there or idle
        # first); and, around the cell, the same for the territories the alternatives go to
        around = range(max(0, period - QUICK_WINDOW), min(s.periods, period + QUICK_WINDOW + 1))
        own = {
            (a.territory, a.period)
            for a in plan.assignments
            if a.person == person and a.period in window and a.territory is not None
        }
        towns = own | {(t, q) for t in visits for q in around}
        chosen = {(a.person, a.period): Cell(a.role, a.territory) for a in plan.assignments}
        free: dict[str, set[int]] = {}
        for town, q in sorted(towns, key=lambda x: (x[1], x[0])):
            near = {
                a.person
                for a in plan.assignments
                if a.period == q and a.territory == town and a.person != person
            }
            near |= helpers(models, town, q, chosen, near | {person})
            for x in near:
                free.setdefault(x, set()).update(window if (town, q) in own else around)
        cells = frozenset((x, q) for x, qs in free.items() for q in qs)
        hood = Neighbourhood("why", frozenset({person}), cells=cells)
        domains = models.domains
        if narrow:
            # everyone freed may keep his month, sit on the bench, train, or work in the
            # territories at stake (the person's and where his alternatives go): a sub-model
            # the size of those territories, not of everyone's radius
            stake = visits | {t for t, _ in own}
            keep = dict(domains.cells)
            for x, q in {(person, q) for q in range(s.periods)} | cells:
                was = chosen.get((x, q), OFF)
                keep[(x, q)] = tuple(
                    c
                    for c in domains.cells[(x, q)]
                    if c == was or c.territory is None or c.territory in stake
                )
            domains = replace(domains, cells=keep)
        self.scope, self.built = models.build(plan, territory_totals(base), hood, domains=domains)
        self.lits = self.built.build.vars.cells.get((person, period), {})
        self.local = self.scope.project(plan)
        self.local_ev = simulate(self.scope.scenario, self.local)

    def price(self, cell: Cell, deadline: Deadline, best: bool) -> Alternative | None:
        """The first plan the re-solve finds with the cell forced, in `QUICK_WORK`; with
        `best`, the best it finds in `BEST_WORK` (None: no plan in its work)."""
        lit = self.lits.get(cell)
        if lit is None or isinstance(lit, int):  # the sub-model fixed it: no quick price
            return None
        built, scope = self.built, self.scope
        domain = built.model.proto.variables[lit.Index()].domain
        # hinted with the plan with just the cell changed, also for the best plan: from there
        # presolve finds plans for a year a third cheaper than from the first plan found (the
        # search stays near its hint)
        add_hint(built, scope.project(_put(self.plan, self.person, self.period, cell)))
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = 1
        params.random_seed = 0
        params.cp_model_probing_level = 0
        params.symmetry_level = 0
        params.interleave_search = False
        if not best:
            # the first plan: no presolve, no LP (they cost more than the plain search from
            # the hint needs to repair it)
            params.max_deterministic_time = QUICK_WORK
            params.stop_after_first_solution = True
            params.cp_model_presolve = False
            params.linearization_level = 0
        else:
            # the best plan, measured on crimea (docs/page.md): around the cell the LP proves
            # the sub-model's optimum in a tenth of a second where the plain search improves
            # nothing in a second; over a year presolve finds a third of the cost back where
            # the LP has no plan in a second
            params.max_deterministic_time = BEST_WORK
            params.cp_model_presolve = self.narrow is False
            params.linearization_level = 0 if self.narrow is False else 1
        domain[0] = 1
        try:
            code = run(solver, built, deadline)
        finally:
            domain[0] = 0
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        sub = extract_plan(built, solver)
        # the sub-scenario's score and each of its KPI terms differ from the whole plan's by
        # constants (optimizer.search.scope), so the sub-scenario's simulation prices the
        # change exactly without simulating the whole plan again (on 400 reps, 0.12 s each)
        mine = check(scope.scenario, sub, solver.value(built.score))
        score = self.base.score + mine.score - self.local_ev.score
        return _alternative(
            scope.scenario,
            cell,
            self.person,
            self.period,
            (self.local, self.local_ev),
            (sub, mine),
            score,
            scope.merge(self.plan, sub),
            self.bound,
            "quick",
        )


def _better(mine: Alternative | None, other: Alternative | None, cell: Cell) -> Alternative:
    """The better priced of two answers for one cell (the first on a tie); unknown if none."""
    best = [a for a in (mine, other) if a is not None and a.score is not None]
    if not best:
        return Alternative(cell, "unknown")
    return max(best, key=lambda a: a.score or 0)


def _try_as_is(
    models: SubModels,
    plan: Plan,
    base: Evaluation,
    totals: dict[str, tuple[int, int]],
    person: str,
    period: int,
    current: Cell,
    cell: Cell,
    bound: int | None,
    months: tuple[int, ...] = (),
) -> tuple[Alternative | None, frozenset[str]]:
    """The plan with just this cell changed (and, given `months`, the person's cell in those
    months too: a hunter stint made long enough), priced when it keeps every rule; when it
    does not, None and the rules it breaks.

    Only the territories the person leaves and joins, and his own timeline, can change: their
    sub-scenario (`optimizer.search.scope`, the person freed in those months alone) prices the
    change exactly. The rules over people left out of it are the training seats and the hire
    starts: a trainee is counted against the seats of the whole plan, and a position (whose
    start may move, and the plan's hires with it) is simulated whole."""
    s = models.s
    months = months or (period,)
    after = plan
    for q in months:
        after = _put(after, person, q, cell)
    if cell == TRAINEE:
        for q in months:
            seats = [a for a in plan.assignments if a.period == q and a.role == "trainee"]
            if not trainees_fit(s, sum(a.person != person for a in seats) + 1):
                return None, frozenset({"training.capacity"})
    scope = None
    if not s.person_by_id[person].is_position:
        was = {a.period: Cell(a.role, a.territory) for a in plan.assignments if a.person == person}
        was[period] = current
        cells = dict(models.domains.cells)
        for q in months:
            cells[(person, q)] = (was.get(q, OFF), cell)
        scope = scope_of(
            s,
            replace(models.domains, cells=cells),
            plan,
            totals,
            lambda x, q: x == person and q in months,
            False,
        )
    if scope is None or scope.whole:
        ev = simulate(s, after)
        if not ev.feasible:
            return None, frozenset(v.rule for v in ev.violations)
        alone = _alternative(
            s, cell, person, period, (plan, base), (after, ev), ev.score, after, bound, "as is"
        )
        return alone, frozenset()
    local, changed = scope.project(plan), scope.project(after)
    ev_local, ev_changed = simulate(scope.scenario, local), simulate(scope.scenario, changed)
    if not ev_changed.feasible:
        return None, frozenset(v.rule for v in ev_changed.violations)
    score = base.score + ev_changed.score - ev_local.score
    alone = _alternative(
        scope.scenario,
        cell,
        person,
        period,
        (local, ev_local),
        (changed, ev_changed),
        score,
        after,
        bound,
        "as is",
    )
    return alone, frozenset()


def _stints(s: Scenario, period: int, cell: Cell) -> list[tuple[int, ...]]:
    """The months of each hunter stint of the minimum length that holds `period`."""
    rotation = s.policy.active_rotation
    need = 1 if rotation is None else rotation.hunter_stint_min
    if cell.role != "hunter" or need <= 1:
        return []
    return [
        tuple(range(first, first + need))
        for first in range(period - need + 1, period + 1)
        if first >= 0 and first + need <= s.periods
    ]


def _distance(s: Scenario, person: str, cell: Cell) -> tuple[float, str]:
    """How far a cell takes a person from home (the bench and training first)."""
    if cell.territory is None:
        return (-1.0, cell.role)
    km = s.distance_km(s.person_by_id[person].home, cell.territory)
    return (km if km is not None else float("inf"), str(cell))


def _put(plan: Plan, person: str, period: int, cell: Cell) -> Plan:
    """The plan with one person-month changed (and nothing else)."""
    rows = [a for a in plan.assignments if (a.person, a.period) != (person, period)]
    if cell != OFF:
        rows.append(
            Assignment(person=person, period=period, role=cell.role, territory=cell.territory)
        )
    return plan.model_copy(update={"assignments": tuple(rows)})


def _deep(
    s: Scenario,
    plan: Plan,
    base: Evaluation,
    person: str,
    period: int,
    cell: Cell,
    deadline: Deadline,
    workers: int,
    seed: int,
    bound: int | None,
) -> Alternative:
    """The alternative's own scenario (the cell a lock) repaired from the plan and polished."""
    forced = with_lock(s, person, period, cell)
    fixed = repair(forced, plan, deadline, workers=workers, seed=seed, polish=True)
    if fixed.plan is None or fixed.evaluation is None:
        status = "impossible" if fixed.status == "INFEASIBLE" else "unknown"
        reason = "no plan keeps every rule with this cell" if status == "impossible" else None
        return Alternative(cell, status, reason=reason)
    ev = simulate(s, fixed.plan)  # the original scenario's score: the lock changes no money
    return _alternative(
        s, cell, person, period, (plan, base), (fixed.plan, ev), ev.score, fixed.plan, bound, "deep"
    )


def _alternative(
    s: Scenario,
    cell: Cell,
    person: str,
    period: int,
    before: tuple[Plan, Evaluation],
    after: tuple[Plan, Evaluation],
    score: int,
    plan: Plan,
    bound: int | None,
    how: str,
) -> Alternative:
    """A priced alternative: `before` and `after` the plan asked about and the re-solved one
    (with `cell` for `person` in `period`) in scenario `s`, evaluated; `score` and `plan` the
    whole scenario's. Each KPI term's effect on the score, and how many other person-months
    moved."""
    mine, theirs = after[1].kpis, before[1].kpis
    terms = {
        t: SIGN.get(t, -1) * (getattr(mine, t) - getattr(theirs, t))
        for t in TERMS
        if getattr(mine, t) != getattr(theirs, t)
    }
    changed = changes_between(s, before[0], after[0])
    moved = sum(1 for c in changed if (c.person, c.period) != (person, period))
    delta = after[1].score - before[1].score  # the same in the sub-scenario as in the whole
    return Alternative(
        cell,
        "priced",
        score,
        delta,
        terms,
        moved,
        plan=plan,
        how=how,
        gap_pct=_gap(score, bound),
    )


def _gap(score: int, bound: int | None) -> float | None:
    """How far a score may be from the best plan of the scenario: the plan's proven bound
    holds for every alternative too (forcing a cell can only lower the optimum)."""
    if bound is None or bound <= 0:
        return None
    return round(100.0 * max(0, bound - score) / bound, 2)


def with_lock(s: Scenario, person: str, period: int, cell: Cell) -> Scenario:
    """The scenario with the person-month fixed to `cell` (a lock, validated as any other)."""
    lock = {"rep": person, "periods": [period], "role": cell.role, "territory": cell.territory}
    return s.replace(locks=[*(x.model_dump(mode="json") for x in s.locks), lock])


def _forbidden(s: Scenario, person: str, period: int, cell: Cell) -> str:
    """The rule that keeps `cell` out of the person-month, in the planner's words."""
    who = s.person_by_id[person]
    month = s.period_label(period)
    rep = s.rep_by_id.get(person)
    if rep is not None and not s.rep_available(rep, period):
        return f"{person} is not available in {month} (leave or departure)"
    for lock in s.locks:
        if lock.rep == person and period in lock.periods and not lock.allows(cell):
            if lock.forbid:
                return f"a forbid rules out {lock.words} for {person} in {month}"
            return f"a lock fixes {person} to {lock.words} in {month}"
    if s.baseline is not None and period < s.baseline.freeze_periods:
        return f"{month} is frozen by the re-plan (freeze_periods)"
    if who.veteran and who.current is not None:
        return (
            f"{person} is a protected veteran: he stays {who.current.role} in "
            f"{who.current.territory}"
        )
    if cell == TRAINEE:
        return f"{person} needs no (more) training"
    if _starved(s, period, cell) and cell.territory is not None:
        t = s.territory_by_id[cell.territory]
        most = t.prospects + period * t.prospect_inflow
        return (
            f"{t.label}'s pool holds at most {most} prospects in {month}, fewer than the "
            f"{s.policy.min_prospects_per_hunter} a hunter needs"
        )
    if cell.territory is not None:
        if who.is_position and cell.territory != who.home:
            return f"a hire works only in his territory, {who.home}"
        if not s.in_reach(who, cell.territory):
            km = s.distance_km(who.home, cell.territory)
            far = "" if km is None else f" is {km:,.0f} km from {who.home},"
            return f"{cell.territory}{far} beyond {person}'s radius of {who.radius_km:g} km"
        if s.territory_by_id[cell.territory].long_cycle:
            return (
                f"{cell.territory} sells long-cycle products and {person} is not trained by {month}"
            )
    return "the rules leave this state out for this person and month"
