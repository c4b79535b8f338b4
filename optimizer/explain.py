"""Why no plan exists, in the planner's words.

Two layers. `precheck` catches the obvious conflicts in milliseconds, before any model: a
person-period that locks, frozen periods and protection leave with nothing allowed; a coverage
floor nobody can fill; veterans who alone overflow an office or a pool. `explain_infeasible`
handles the rest: the model is built with every rule group behind an assumption literal and
without the objective, CP-SAT names a sufficient set of assumptions (one worker), and that set
is shrunk by deletion to a small set of rules that cannot hold together.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from optimizer.domains import Domains, build_domains
from optimizer.scenario import Person, Scenario
from optimizer.simulate.territory import office_fits, pool_feeds

if TYPE_CHECKING:  # the model imports this module's callers: names only
    from optimizer.model.builder import Built
    from optimizer.model.core import GroupKey, Guards

HEADER = "These rules cannot all hold:"


def precheck(s: Scenario) -> list[str]:
    """Conflicts visible without search; an empty list means none was found."""
    domains = build_domains(s)
    problems: list[str] = []
    problems += _empty_cells(s, domains)
    problems += _coverage_nobody_can_fill(s, domains)
    problems += _veterans_overflow(s)
    return problems


def _empty_cells(s: Scenario, domains: Domains) -> list[str]:
    out = []
    for person in s.persons:
        if person.is_position:
            continue
        for p in range(s.periods):
            if domains.of(person.id, p) == ():
                why = [
                    _lock_words(s, person, i, p)
                    for i, lock in enumerate(s.locks)
                    if lock.rep == person.id and p in lock.periods
                ]
                frozen = s.baseline is not None and p < s.baseline.freeze_periods
                if frozen:
                    why.append(f"period {p} is frozen to the baseline")
                out.append(f"{person.id} has nothing he may do in period {p}: " + "; ".join(why))
    return out


def _lock_words(s: Scenario, person: Person, index: int, p: int) -> str:
    lock = s.locks[index]
    if lock.forbid:
        return f"lock {index} forbids him {lock.words}"
    wanted = lock.words
    reasons = []
    if lock.role in ("hunter", "farmer") and lock.role not in person.roles:
        reasons.append(f"he works only as {' or '.join(sorted(person.roles))}")
    if lock.territory is not None:
        if not s.in_reach(person, lock.territory) and not (
            person.veteran and person.current and person.current.territory == lock.territory
        ):
            km = s.distance_km(person.home, lock.territory)
            reasons.append(
                f"{lock.territory} is {km:.0f} km from his home {person.home}, beyond his "
                f"{person.radius_km:g} km radius"
            )
        t = s.territory_by_id[lock.territory]
        if t.long_cycle and person.training_needed > p:
            reasons.append(
                f"{t.label} sells long-cycle products and he needs {person.training_needed} "
                f"training periods first"
            )
    if person.veteran and person.current is not None:
        reasons.append(
            f"he is a protected veteran who keeps {person.current.role} in "
            f"{person.current.territory}"
        )
    if lock.role == "trainee" and person.training_needed == 0:
        reasons.append("he needs no training")
    because = ", but " + " and ".join(reasons) if reasons else ""
    return f"lock {index} makes him {wanted}{because}"


def _coverage_nobody_can_fill(s: Scenario, domains: Domains) -> list[str]:
    floors = {t.id for t in s.territories if t.min_farmers > 0}
    can: dict[tuple[str, int], list[str]] = {}  # (territory, period) -> who may farm it
    for person in s.persons:  # one pass over the domains, roster order kept
        for p in range(s.periods):
            for cell in domains.of(person.id, p):
                where = cell.territory
                if (
                    cell.role == "farmer"
                    and where in floors
                    and _full_term(s, person, p, where) > 0
                ):
                    can.setdefault((where, p), []).append(person.id)
    out = []
    for t in s.territories:
        if t.min_farmers == 0:
            continue
        for p in range(s.periods):
            able = can.get((t.id, p), [])
            if len(able) < t.min_farmers:
                out.append(
                    f"{t.label} needs {t.min_farmers} farmer(s) in period {p} "
                    f"({s.period_label(p)}), but {_who_can(able)} can farm it then"
                    f"{_why_not(s, t.id, p)}"
                )
                break  # the first period says enough
    return out


def _full_term(s: Scenario, person: Person, p: int, t: str) -> int:
    prod = 100 if person.is_position else s.productivity(person, p)
    return s.farmer_term(person, s.territory_by_id[t], prod)


def _who_can(able: list[str]) -> str:
    if not able:
        return "nobody"
    return "only " + ", ".join(able)


def _why_not(s: Scenario, t: str, p: int) -> str:
    """Who comes close: reps in reach who may farm, and what stops them."""
    territory = s.territory_by_id[t]
    reasons = []
    for person in s.persons:
        if person.is_position:
            if person.home == t and s.hiring is not None and p < s.hiring.earliest_period:
                reasons.append(f"{person.id} can start only in period {s.hiring.earliest_period}")
            elif person.home == t and territory.long_cycle and person.training_needed > 0:
                reasons.append(f"{person.id} would need {person.training_needed} training periods")
            continue
        if not s.in_reach(person, t) or "farmer" not in person.roles:
            continue
        rep = s.rep_by_id[person.id]
        if not s.rep_available(rep, p):
            reasons.append(f"{person.id} is on leave or gone")
        elif person.veteran and person.current is not None and person.current.territory != t:
            reasons.append(f"{person.id} is a protected veteran in {person.current.territory}")
        elif territory.long_cycle and person.training_needed > 0:
            reasons.append(
                f"{person.id} is not trained for long-cycle products "
                f"({s.training_periods} training periods, {person.training_needed} to go)"
            )
    if not reasons:
        nearby = "no rep within reach may farm it"
        return f" ({nearby})"
    return " (" + "; ".join(reasons[:6]) + ")"


def _veterans_overflow(s: Scenario) -> list[str]:
    out = []
    need = s.policy.min_prospects_per_hunter
    veterans: dict[str, list[Person]] = {}  # territory -> the veterans protected there
    for x in s.persons:
        if x.veteran and x.current is not None:
            veterans.setdefault(x.current.territory, []).append(x)
    for t in s.territories:
        for p in range(s.periods):
            kept = [x for x in veterans.get(t.id, ()) if s.rep_available(s.rep_by_id[x.id], p)]
            if not office_fits(t, len(kept)):
                out.append(
                    f"{len(kept)} protected veterans keep working in {t.label} in period {p}, "
                    f"above its max_reps {t.max_reps}"
                )
                break
            hunters = [x for x in kept if x.current is not None and x.current.role == "hunter"]
            if p == 0 and not pool_feeds(s, t.prospects, len(hunters)):
                out.append(
                    f"{len(hunters)} protected veteran hunter(s) keep hunting {t.label}, which "
                    f"needs {need * len(hunters)} prospects, but its pool holds {t.prospects}"
                )
                break
    return out


def explain_infeasible(s: Scenario, time_limit: float = 20.0) -> str:
    """A small set of rules that cannot hold together, one sentence each."""
    from optimizer.model import build_model

    deadline = time.monotonic() + time_limit
    built = build_model(s, explain=True, with_objective=False)
    guards = built.build.guards
    keys = list(guards.literals)
    status, core = _solve_with(built, keys, guards, deadline)
    if status != cp_model.INFEASIBLE:
        return (
            "No plan satisfies the hard rules, but no single group of rules is to blame: the "
            "conflict lies in the facts (availability, training length, hiring dates) together "
            "with the dynamics. Relax coverage floors or prospect supply and solve again."
        )
    core = _shrink(built, core, guards, deadline)
    lines = [f"- {guards.sentences[k]}" for k in core]
    return HEADER + "\n" + "\n".join(lines)


def _solve_with(
    built: Built, keys: list[GroupKey], guards: Guards, deadline: float
) -> tuple[cp_model.CpSolverStatus, list[GroupKey]]:
    model = built.model
    model.clear_assumptions()
    model.add_assumptions([guards.literals[k] for k in keys])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.5, deadline - time.monotonic())
    status = solver.solve(model)
    if status != cp_model.INFEASIBLE:
        return status, []
    by_index = {guards.literals[k].Index(): k for k in keys}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return status, core or keys


def _shrink(built: Built, core: list[GroupKey], guards: Guards, deadline: float) -> list[GroupKey]:
    """Deletion filter: drop each group whose absence still leaves the rest infeasible."""
    kept = list(core)
    for key in list(core):
        if time.monotonic() > deadline:
            break
        if key not in kept:
            continue
        trial = [k for k in kept if k != key]
        if not trial:
            continue
        status, smaller = _solve_with(built, trial, guards, deadline)
        if status == cp_model.INFEASIBLE:
            kept = [k for k in trial if k in set(smaller)] or trial
    return kept
