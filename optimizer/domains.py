"""What each person may be in each period, decided before any variable exists (a lean model).

Normal mode prunes by availability, veteran protection, locks, frozen baseline periods, roles,
mobility radius and the training gate, so the solver only sees cells that can be true.
Explain mode keeps the cells that rules forbid, so each rule becomes a constraint guarded by an
assumption literal and can be named in an infeasibility explanation; it still prunes by facts
(availability) and, on large scenarios, by radius.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.plan import BENCH, OFF, TRAINEE, Cell
from optimizer.scenario import Person, Rep, Role, Scenario

EXPLAIN_REACH_LIMIT = 5_000  # persons x territories above which explain mode keeps radius pruning


@dataclass(frozen=True)
class Domains:
    """Options per (person, period). Reps: `(OFF,)` when unavailable. Positions: the cells of a
    filled position (never `OFF`); whether it is filled is the start variables' business."""

    cells: dict[tuple[str, int], tuple[Cell, ...]]
    explain: bool
    reach_relaxed: bool

    def of(self, person: str, period: int) -> tuple[Cell, ...]:
        return self.cells[(person, period)]


def build_domains(s: Scenario, explain: bool = False) -> Domains:
    reach_relaxed = explain and len(s.persons) * len(s.territories) <= EXPLAIN_REACH_LIMIT
    cells: dict[tuple[str, int], tuple[Cell, ...]] = {}
    frozen = frozen_cells(s)
    bound = {lock.rep for lock in s.locks} | {person for person, _ in frozen}
    for person in s.persons:
        rep = None if person.is_position else s.rep_by_id[person.id]
        before = 0  # periods before p in which this person could train
        known: dict[bool, list[Cell]] = {}  # the options depend on p only by the gate
        for p in range(s.periods):
            if rep is not None and not s.rep_available(rep, p):
                cells[(person.id, p)] = (OFF,)
                continue
            if person.is_position and s.hiring is not None and p < s.hiring.earliest_period:
                cells[(person.id, p)] = ()
                continue
            gate = before >= person.training_needed
            if gate not in known:
                known[gate] = _options(s, person, rep, before, explain, reach_relaxed)
            options = known[gate]
            if not explain and person.id in bound:
                options = _restrict(s, person.id, p, options, frozen)
            cells[(person.id, p)] = tuple(options)
            before += 1
    return Domains(cells=cells, explain=explain, reach_relaxed=reach_relaxed)


def _options(
    s: Scenario,
    person: Person,
    rep: Rep | None,
    trainable_before: int,
    explain: bool,
    reach_relaxed: bool,
) -> list[Cell]:
    current = person.current
    if person.veteran and not explain and current is not None:
        return [Cell(current.role, current.territory)]
    options = [BENCH]
    capacity = s.training.trainer_capacity if s.training else 0
    if person.training_needed > 0 and capacity > 0:
        options.append(TRAINEE)
    roles: list[Role] = (
        ["hunter", "farmer"] if explain and not person.is_position else sorted(person.roles)
    )
    if person.is_position:
        territories: tuple[str, ...] = (person.home,)
    elif reach_relaxed:
        territories = tuple(t.id for t in s.territories)
    else:
        territories = s.reachable[person.id]
        if person.veteran and current is not None and current.territory not in territories:
            territories = (*territories, current.territory)  # protection outranks the radius
    trained_in_time = trainable_before >= person.training_needed
    for t in territories:
        long_cycle = s.territory_by_id[t].long_cycle
        own = person.veteran and current is not None and current.territory == t
        if long_cycle and not trained_in_time and not own and not explain:
            continue
        for role in roles:
            options.append(Cell(role, t))
    return options


def _restrict(
    s: Scenario,
    person: str,
    p: int,
    options: list[Cell],
    frozen: dict[tuple[str, int], Cell],
) -> list[Cell]:
    """Locks and frozen baseline periods narrow the options (normal mode only)."""
    for lock in s.locks:
        if lock.rep == person and p in lock.periods:
            options = [c for c in options if lock.allows(c)]
    fixed = frozen.get((person, p))
    if fixed is not None and fixed != OFF:
        options = [c for c in options if c == fixed]
    return options


def frozen_cells(s: Scenario) -> dict[tuple[str, int], Cell]:
    """Baseline cells of frozen periods that still bind (the facts did not change)."""
    b = s.baseline
    if b is None:
        return {}
    owner = {r.from_position: r.id for r in s.reps if r.from_position}
    out: dict[tuple[str, int], Cell] = {}
    for a in b.assignments:
        if a.period >= b.freeze_periods:
            continue
        person = owner.get(a.person, a.person)
        cell = Cell(a.role, a.territory)
        rep = s.rep_by_id.get(person)
        if rep is not None:
            available = s.rep_available(rep, a.period)
            if (not available and cell != OFF) or (available and cell == OFF):
                continue  # the facts changed: free
        out[(person, a.period)] = cell
    return out
