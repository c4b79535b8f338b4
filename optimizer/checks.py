"""Cross-entity validation of a scenario (spec section 2): every message names entity and field.

Each `check_*` yields problems for one family of rules; `scenario_issues` runs them all so a
planner sees the whole list at once. Field-level ranges live on the models themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from optimizer.plan import Cell

if TYPE_CHECKING:
    from optimizer.scenario import Lock, Person, Rep, Scenario

Check = Callable[["Scenario"], Iterator[str]]


def scenario_issues(s: Scenario) -> list[str]:
    """All cross-entity problems of a scenario, in a stable order."""
    problems: list[str] = []
    for check in CHECKS:
        problems.extend(check(s))
    if not problems:  # it reads the people, positions and levels the checks above vouch for
        problems.extend(check_score_range(s))
    return problems


def _duplicates(ids: list[str]) -> list[str]:
    return [i for i, n in Counter(ids).items() if n > 1]


def _some(noun: str, items: Sequence[object], shown: int = 5) -> str:
    """`period 14` or `3 periods (12, 13, 14)` or `1,000,000 periods (12, 13, 14, 15, 16, ...
    and 999,995 more)`: one message for a list however long."""
    if len(items) == 1:
        return f"{noun} {items[0]}"
    head = ", ".join(str(i) for i in items[:shown])
    more = f", ... and {len(items) - shown:,} more" if len(items) > shown else ""
    return f"{len(items):,} {noun}s ({head}{more})"


def check_ids(s: Scenario) -> Iterator[str]:
    """Unique ids; rep ids never look like positions."""
    from optimizer.scenario import POSITION_PREFIX

    for dup in _duplicates([t.id for t in s.territories]):
        yield f"territories[{dup}].id: duplicate territory id '{dup}'"
    for dup in _duplicates([r.id for r in s.reps]):
        yield f"reps[{dup}].id: duplicate rep id '{dup}'"
    for r in s.reps:
        if r.id.startswith(POSITION_PREFIX):
            yield (
                f"reps[{r.id}].id: a rep id may not start with '{POSITION_PREFIX}' "
                "(reserved for open positions)"
            )


def check_coordinates(s: Scenario) -> Iterator[str]:
    for t in s.territories:
        if (t.lat is None) != (t.lon is None):
            given, missing = ("lat", "lon") if t.lon is None else ("lon", "lat")
            yield f"territories[{t.id}].{missing}: {given} is given without {missing}"


def check_reps(s: Scenario) -> Iterator[str]:
    """References, periods and per-rep consistency."""
    known = s.territory_by_id
    periods = s.periods
    for r in s.reps:
        where = f"reps[{r.id}]"
        if r.home not in known:
            yield f"{where}.home: unknown territory '{r.home}'"
        if r.current is not None and r.current.territory not in known:
            yield f"{where}.current.territory: unknown territory '{r.current.territory}'"
        if not r.roles:
            yield f"{where}.roles: must name at least one of hunter, farmer"
        for dup in _duplicates(list(r.roles)):
            yield f"{where}.roles: '{dup}' listed twice"
        outside = [p for p in r.unavailable if p >= periods]
        if outside:
            yield (
                f"{where}.unavailable: {_some('period', outside)} "
                f"{'is' if len(outside) == 1 else 'are'} outside the horizon 0..{periods - 1}"
            )
        twice = _duplicates([str(p) for p in r.unavailable])
        if twice:
            yield f"{where}.unavailable: {_some('period', twice)} listed twice"
        if len(r.productivity_pct) > periods:
            yield (
                f"{where}.productivity_pct: {len(r.productivity_pct)} values for a "
                f"{periods}-period horizon"
            )


def check_hiring(s: Scenario) -> Iterator[str]:
    h = s.hiring
    if h is None:
        return
    for t in h.territories or ():
        if t not in s.territory_by_id:
            yield f"hiring.territories: unknown territory '{t}'"
    for dup in _duplicates(list(h.territories or ())):
        yield f"hiring.territories: '{dup}' listed twice"
    if h.earliest_period >= s.periods:
        yield (
            f"hiring.earliest_period: period {h.earliest_period} is outside the horizon "
            f"0..{s.periods - 1}"
        )
    if h.positions_per_territory < 1:
        yield "hiring.positions_per_territory: must be >= 1 (leave out the hiring block instead)"


def check_policy(s: Scenario) -> Iterator[str]:
    rotation = s.policy.rotation
    if rotation is not None and rotation.hunter_stint_min > rotation.hunter_stint_max:
        yield (
            f"policy.rotation.hunter_stint_min: {rotation.hunter_stint_min} is above "
            f"hunter_stint_max {rotation.hunter_stint_max}"
        )
    bonus = s.policy.bonus
    if bonus is not None:
        if not bonus.levels:
            yield "policy.bonus.levels: the bonus menu is empty (give at least one level)"
        for dup in _duplicates([level.name for level in bonus.levels]):
            yield f"policy.bonus.levels[{dup}].name: duplicate level name '{dup}'"


def check_veterans(s: Scenario) -> Iterator[str]:
    for r in s.reps:
        if s.is_protected_veteran(r):
            assert r.current is not None
            if r.current.role not in r.roles:
                yield (
                    f"reps[{r.id}].current.role: protected veteran keeps role "
                    f"'{r.current.role}', which is not in his roles {list(r.roles)}"
                )


def _rep_off(s: Scenario, rep: Rep, period: int) -> str | None:
    if not s.employed(rep, period):
        return f"{rep.id} has left by period {period} (active_until {rep.active_until})"
    if period in rep.unavailable:
        return f"{rep.id} is unavailable in period {period}"
    return None


def check_locks(s: Scenario) -> Iterator[str]:
    """References, horizon, lock contradictions with leave, veterans and each other."""
    from optimizer.scenario import POSITION_PREFIX

    fixed: dict[tuple[str, int], tuple[int, Lock]] = {}
    forbids: dict[tuple[str, int], list[tuple[int, Lock]]] = {}
    for i, lock in enumerate(s.locks):
        where = f"locks[{i}]"
        rep = s.rep_by_id.get(lock.rep)
        position = s.position_by_id.get(lock.rep)
        if rep is None and position is None:
            if lock.rep.startswith(POSITION_PREFIX):
                yield f"{where}.rep: '{lock.rep}' is not an open position"
            else:
                yield f"{where}.rep: unknown rep '{lock.rep}'"
        if lock.territory is None and lock.role is None:
            kind = "a forbid must name" if lock.forbid else "a lock must fix"
            yield f"{where}: {kind} a territory, a role or both"
        if lock.territory is not None:
            if lock.territory not in s.territory_by_id:
                yield f"{where}.territory: unknown territory '{lock.territory}'"
            if lock.role in ("trainee", "bench"):
                yield f"{where}.territory: role '{lock.role}' has no territory"
        for dup in _duplicates([str(p) for p in lock.periods]):
            yield f"{where}.periods: period {dup} listed twice"
        for p in lock.periods:
            if p >= s.periods:
                yield f"{where}.periods: period {p} is outside the horizon 0..{s.periods - 1}"
                continue
            if lock.forbid:
                if rep is not None and s.is_protected_veteran(rep):
                    assert rep.current is not None
                    if lock.fits(Cell(rep.current.role, rep.current.territory)):
                        yield (
                            f"{where}: forbids protected veteran {rep.id} the "
                            f"{rep.current.role}@{rep.current.territory} he keeps in period {p}"
                        )
                forbids.setdefault((lock.rep, p), []).append((i, lock))
                continue
            if rep is not None and (why := _rep_off(s, rep, p)):
                yield f"{where}: {why}, so he cannot be locked to work"
            if position is not None and s.hiring is not None and p < s.hiring.earliest_period:
                yield (
                    f"{where}: position {lock.rep} cannot be filled before period "
                    f"{s.hiring.earliest_period} (hiring.earliest_period)"
                )
            if rep is not None and s.is_protected_veteran(rep):
                assert rep.current is not None
                if (lock.territory not in (None, rep.current.territory)) or (
                    lock.role not in (None, rep.current.role)
                ):
                    yield (
                        f"{where}: contradicts protected veteran {rep.id}, who keeps "
                        f"{rep.current.role}@{rep.current.territory} in period {p}"
                    )
            earlier = fixed.get((lock.rep, p))
            if earlier is not None:
                j, other = earlier
                territory, role = other.territory, other.role
                clash_t = None not in (territory, lock.territory) and territory != lock.territory
                clash_r = None not in (role, lock.role) and role != lock.role
                if clash_t or clash_r:
                    yield f"{where}: contradicts locks[{j}] for {lock.rep} in period {p}"
            fixed[(lock.rep, p)] = (i, lock)
    for (who, p), ruled_out in forbids.items():
        if (earlier := fixed.get((who, p))) is None:
            continue
        j, other = earlier
        territory, role = other.territory, other.role
        if role is None or (territory is None and role in ("hunter", "farmer")):
            continue  # a lock of a working role or a territory alone leaves other cells
        for i, lock in ruled_out:
            if lock.fits(Cell(role, territory)):
                yield f"locks[{i}]: forbids what locks[{j}] fixes for {who} in period {p}"


def check_baseline(s: Scenario) -> Iterator[str]:
    """Baseline rows in the horizon, known persons and territories, `from_position` links."""
    from optimizer.scenario import POSITION_PREFIX

    b = s.baseline
    answering = [r for r in s.reps if r.from_position is not None]
    baseline_persons = {a.person for a in b.assignments} if b is not None else set()
    for r in answering:
        if r.from_position not in baseline_persons or not str(r.from_position).startswith(
            POSITION_PREFIX
        ):
            yield (
                f"reps[{r.id}].from_position: '{r.from_position}' is not a position of the baseline"
            )
        if r.id in baseline_persons:
            yield (
                f"reps[{r.id}].from_position: {r.id} has baseline rows of his own and also "
                f"answers for '{r.from_position}'"
            )
    for dup in _duplicates([str(r.from_position) for r in answering]):
        yield f"reps.from_position: position '{dup}' is claimed by more than one rep"
    if b is None:
        return
    from_positions = {r.from_position for r in answering}
    seen: set[tuple[str, int]] = set()
    for a in b.assignments:
        where = f"baseline.assignments[{a.person}, period {a.period}]"
        if a.period >= s.periods:
            yield f"{where}: period {a.period} is outside the horizon 0..{s.periods - 1}"
        known = (
            a.person in s.rep_by_id or a.person in s.position_by_id or a.person in from_positions
        )
        if not known:
            yield f"{where}.person: unknown rep or position '{a.person}'"
        if a.territory is not None and a.territory not in s.territory_by_id:
            yield f"{where}.territory: unknown territory '{a.territory}'"
        if (a.person, a.period) in seen:
            yield f"{where}: a second row for the same person and period"
        seen.add((a.person, a.period))
    if len(b.bonus_levels) > s.periods:
        yield (
            f"baseline.bonus_levels: {len(b.bonus_levels)} levels for a {s.periods}-period horizon"
        )
    for p, name in enumerate(b.bonus_levels):
        if name not in s.level_by_name:
            yield f"baseline.bonus_levels[{p}]: unknown bonus level '{name}'"


def check_people(s: Scenario) -> Iterator[str]:
    if not s.reps and not s.positions:
        yield "reps: the scenario has no reps and no open positions to plan"


SCORE_LIMIT = 2**62  # the score and every sum the model forms stay inside 64 bits, with room


def check_score_range(s: Scenario) -> Iterator[str]:
    """The score fits in 64 bits for every plan (spec section 4): the sum of the largest value
    every money term and every count product could take stays below `SCORE_LIMIT`; otherwise
    the one problem names the field that contributes most."""
    periods = s.periods
    persons = s.persons
    people = len(persons)
    bonus = s.policy.bonus
    uplift = max([100] + [level.uplift_pct for level in bonus.levels] if bonus else [100])
    terms: list[tuple[int, str]] = []
    wins = 0
    for t in s.territories:
        where = f"territories[{t.id}]"
        pool = t.prospects + t.prospect_inflow * periods
        accounts = t.accounts + pool
        wins += pool
        horizon = periods + s.defaults.terminal_value_periods
        terms += [
            (accounts * t.account_value * horizon, f"{where}.account_value"),
            (accounts * (t.account_revenue or 0) * periods, f"{where}.account_revenue"),
            (accounts * 100 * periods, f"{where}.accounts"),
            (pool * max(100, t.win_share_pct) * periods, f"{where}.prospects"),
            (t.handover_cost * people * periods, f"{where}.handover_cost"),
            (t.accounts_per_farmer * 100 * people * periods, f"{where}.accounts_per_farmer"),
        ]
    for x in persons:
        field = "hiring" if x.is_position else f"reps[{x.id}]"
        prod = max([100, *_productivities(s, x)])
        terms += [
            (x.salary * periods, f"{field}.salary"),
            (x.travel_cost * periods, f"{field}.travel_cost"),
            (x.hunter_capacity * prod * uplift * periods, f"{field}.hunter_capacity"),
            (x.farmer_capacity_pct * prod * periods, f"{field}.farmer_capacity_pct"),
        ]
    if s.hiring is not None:
        terms.append((s.hiring.hire_cost * len(s.positions), "hiring.hire_cost"))
    if bonus is not None:
        for level in bonus.levels:
            field = f"policy.bonus.levels[{level.name}].per_client"
            terms.append((level.per_client * wins, field))
    goals = s.policy.targets
    if goals is not None:
        nc = goals.new_client_shortfall_cost * (goals.goal_new_clients or 0)
        rev = goals.revenue_shortfall_cost_pct * (goals.goal_revenue or 0)
        terms += [
            (nc, "policy.targets.new_client_shortfall_cost"),
            ((goals.goal_new_clients or 0) * 100, "policy.targets.goal_new_clients"),
            (rev, "policy.targets.goal_revenue"),
        ]
    changes = people * periods
    terms += [
        (s.defaults.role_switch_cost * changes, "defaults.role_switch_cost"),
        (s.defaults.bench_cost * changes, "defaults.bench_cost"),
    ]
    if s.baseline is not None:
        terms.append((s.baseline.change_cost * changes, "baseline.change_cost"))
    total = sum(size for size, _ in terms)
    if total >= SCORE_LIMIT:
        size, field = max(terms)
        yield (
            f"{field}: too large: the score could reach {total:.3g}, beyond the 64-bit range "
            f"the plan is scored in ({SCORE_LIMIT:.3g}); this field's part is {size:.3g}"
        )


def _productivities(s: Scenario, x: Person) -> tuple[int, ...]:
    if x.is_position:
        return s.hiring.ramp_pct if s.hiring is not None else ()
    return s.rep_by_id[x.id].productivity_pct


CHECKS: tuple[Check, ...] = (
    check_ids,
    check_coordinates,
    check_reps,
    check_hiring,
    check_policy,
    check_veterans,
    check_locks,
    check_baseline,
    check_people,
)
