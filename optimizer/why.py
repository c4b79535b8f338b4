"""Why is this person here this month? Every alternative state of one person-month, priced:
for each one the rules allow, the best plan found with that cell forced (the plan repaired
around the forced cell and its neighbourhood re-solved, `optimizer.repair`), scored by the
simulator, with the change of every KPI term against the plan; for each one the rules forbid,
the rule that forbids it, in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.deadline import Deadline
from optimizer.domains import build_domains
from optimizer.plan import BENCH, TRAINEE, Cell, Plan
from optimizer.repair import repair
from optimizer.scenario import InvalidInput, Scenario
from optimizer.simulate import Evaluation, simulate

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
) -> Why:
    """Every alternative of `person` in `period`, best first; `plan` must keep every rule."""
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
    allowed = set(build_domains(s).of(person, period))
    candidates = [c for c in _every_cell(s, person) if c != current]
    priced = [c for c in candidates if c in allowed]
    out: list[Alternative] = [Alternative(current, "plan", base.score, 0)]
    for i, cell in enumerate(priced):
        child = deadline.child(share=1.0 / (len(priced) - i))
        out.append(_priced(s, plan, base, person, period, cell, child, workers, seed))
    out += [
        Alternative(c, "impossible", reason=_forbidden(s, person, period, c))
        for c in candidates
        if c not in allowed
    ]
    rank = {"plan": 0, "priced": 0, "unknown": 1, "impossible": 2}
    out.sort(key=lambda a: (rank[a.status], -(a.score if a.score is not None else 0)))
    return Why(person, period, current, base.score, tuple(out))


def _every_cell(s: Scenario, person: str) -> list[Cell]:
    who = s.person_by_id[person]
    cells = [BENCH, TRAINEE]
    for t in s.territories:
        for role in ("hunter", "farmer"):
            if role in who.roles:
                cells.append(Cell(role, t.id))
    return cells


def _priced(
    s: Scenario,
    plan: Plan,
    base: Evaluation,
    person: str,
    period: int,
    cell: Cell,
    deadline: Deadline,
    workers: int,
    seed: int,
) -> Alternative:
    forced = with_lock(s, person, period, cell)
    fixed = repair(forced, plan, deadline, workers=workers, seed=seed, polish=True)
    if fixed.plan is None or fixed.evaluation is None:
        status = "impossible" if fixed.status == "INFEASIBLE" else "unknown"
        reason = "no plan keeps every rule with this cell" if status == "impossible" else None
        return Alternative(cell, status, reason=reason)
    ev = simulate(s, fixed.plan)  # the original scenario's score: the lock changes no money
    mine, theirs = ev.kpis, base.kpis
    terms = {
        t: SIGN.get(t, -1) * (getattr(mine, t) - getattr(theirs, t))
        for t in TERMS
        if getattr(mine, t) != getattr(theirs, t)
    }
    moved = sum(1 for c in fixed.changes if (c.person, c.period) != (person, period))
    return Alternative(
        cell, "priced", ev.score, ev.score - base.score, terms, moved, plan=fixed.plan
    )


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
        if lock.rep == person and period in lock.periods:
            return f"a lock fixes {person} in {month}"
    if s.baseline is not None and period < s.baseline.freeze_periods:
        return f"{month} is frozen by the re-plan (freeze_periods)"
    if who.veteran and who.current is not None:
        return (
            f"{person} is a protected veteran: he stays {who.current.role} in "
            f"{who.current.territory}"
        )
    if cell == TRAINEE:
        return f"{person} needs no (more) training"
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
