"""Every hard rule of spec section 3, one `check_*` each, returning structured violations.

A check reads the schedule (states per person and period), the dynamics (pools, farmer terms)
and the plan's own `hires` list; none changes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from optimizer.plan import Plan, Violation
from optimizer.scenario import Person
from optimizer.simulate.dynamics import Dynamics
from optimizer.simulate.money import baseline_rows, facts_changed
from optimizer.simulate.schedule import Cell, Schedule


@dataclass(frozen=True)
class Context:
    sched: Schedule
    dyn: Dynamics
    plan: Plan


Rule = Callable[[Context], Iterator[Violation]]


def _v(rule: str, entity: str, period: int | None, message: str) -> Violation:
    return Violation(rule=rule, entity=entity, period=period, message=message)


def _protected_here(person: Person, cell: Cell) -> bool:
    """A protected veteran working his own territory: exempt from radius and training gate."""
    return (
        person.veteran and person.current is not None and cell.territory == person.current.territory
    )


def check_complete(ctx: Context) -> Iterator[Violation]:
    """Every rep has a row in every period (a missing row is read as off)."""
    for person, p in ctx.sched.missing:
        yield _v("assignment.missing", person, p, f"no assignment for {person} (read as off)")


def check_availability(ctx: Context) -> Iterator[Violation]:
    """Off exactly when not employed or on leave; a hire is never off after his start."""
    sched = ctx.sched
    s = sched.scenario
    for person in sched.active:
        for p, cell in enumerate(sched.cells[person.id]):
            available = sched.available(person, p)
            if available and cell.role == "off":
                if person.is_position:
                    message = (
                        f"{person.id} was hired in period {sched.start[person.id]} and works to "
                        "the horizon's end: he may train or sit on the bench, never be off"
                    )
                    yield _v("hiring.never_off", person.id, p, message)
                else:
                    yield _v(
                        "availability",
                        person.id,
                        p,
                        f"{person.id} is employed and available but off: he must work, train "
                        "or sit on the bench",
                    )
            elif not available and cell.role != "off":
                rep = s.rep_by_id[person.id]
                why = (
                    "on leave" if s.employed(rep, p) else f"gone (active_until {rep.active_until})"
                )
                yield _v("availability", person.id, p, f"{person.id} is {why} but assigned {cell}")


def check_roles_and_reach(ctx: Context) -> Iterator[Violation]:
    """Roles from the person's `roles`; territories within the radius (hires: their own only)."""
    sched = ctx.sched
    s = sched.scenario
    for person in sched.active:
        for p, cell in enumerate(sched.cells[person.id]):
            if not cell.working:
                continue
            assert cell.territory is not None
            if cell.role not in person.roles:
                yield _v(
                    "role",
                    person.id,
                    p,
                    f"{person.id} may not work as {cell.role} (roles: {sorted(person.roles)})",
                )
            if _protected_here(person, cell) or s.in_reach(person, cell.territory):
                continue
            if person.is_position:
                message = (
                    f"{person.id} is based in {person.home} and works only there, "
                    f"not in {cell.territory}"
                )
            else:
                km = s.distance_km(person.home, cell.territory)
                message = (
                    f"{cell.territory} is {km:.0f} km from {person.id}'s home {person.home}, "
                    f"beyond his {person.radius_km:g} km radius"
                )
            yield _v("reach", person.id, p, message)


def check_training(ctx: Context) -> Iterator[Violation]:
    """Trainees only while untrained, trainer capacity, and the long-cycle training gate."""
    sched = ctx.sched
    s = sched.scenario
    capacity = s.training.trainer_capacity if s.training else 0
    for p in range(s.periods):
        trainees = sum(sched.cells[x.id][p].role == "trainee" for x in sched.active)
        if trainees > capacity:
            yield _v(
                "training.capacity",
                "training",
                p,
                f"{trainees} trainees, above trainer_capacity {capacity}",
            )
    for person in sched.active:
        done = 0
        for p, cell in enumerate(sched.cells[person.id]):
            if cell.role == "trainee":
                if done >= person.training_needed:
                    why = (
                        "needs no training"
                        if person.training_needed == 0
                        else f"has completed his {s.training_periods} training periods"
                    )
                    yield _v("training.not_needed", person.id, p, f"{person.id} {why}")
                done += 1
            elif cell.working and not _protected_here(person, cell):
                assert cell.territory is not None
                territory = s.territory_by_id[cell.territory]
                if territory.long_cycle and done < person.training_needed:
                    yield _v(
                        "training.long_cycle",
                        person.id,
                        p,
                        f"{territory.label} sells long-cycle products and {person.id} has "
                        f"{person.training_needed - done} training period(s) left",
                    )


def check_hiring(ctx: Context) -> Iterator[Violation]:
    """Positions filled from `earliest_period`, within `max_hires` and the per-period cap,
    and the plan's `hires` list agreeing with its rows."""
    sched = ctx.sched
    s = sched.scenario
    if s.hiring is None or not sched.start:
        yield from _hires_list(ctx)
        return
    h = s.hiring
    for pid, start in sched.start.items():
        if start < h.earliest_period:
            yield _v(
                "hiring.earliest",
                pid,
                start,
                f"{pid} starts in period {start}, before hiring.earliest_period "
                f"{h.earliest_period}",
            )
    if len(sched.start) > h.max_hires:
        yield _v(
            "hiring.max_hires",
            "hiring",
            None,
            f"{len(sched.start)} positions filled, above max_hires {h.max_hires}",
        )
    for p in range(s.periods):
        starting = sum(start == p for start in sched.start.values())
        if starting > h.per_period_cap:
            yield _v(
                "hiring.per_period",
                "hiring",
                p,
                f"{starting} hires start, above max_hires_per_period {h.per_period_cap}",
            )
    yield from _hires_list(ctx)


def _hires_list(ctx: Context) -> Iterator[Violation]:
    sched = ctx.sched
    s = sched.scenario
    listed = {h.person: h for h in ctx.plan.hires}
    for hire in ctx.plan.hires:
        start = sched.start.get(hire.person)
        position = s.position_by_id.get(hire.person)
        if start is None or position is None:
            yield _v(
                "hiring.hires_list",
                hire.person,
                None,
                f"hires lists {hire.person}, whose rows do not fill that position",
            )
        elif start != hire.start_period or hire.territory != position.territory:
            yield _v(
                "hiring.hires_list",
                hire.person,
                None,
                f"hires says {hire.territory} from period {hire.start_period}; the rows say "
                f"{position.territory} from period {start}",
            )
    if ctx.plan.hires:
        for pid in sched.start:
            if pid not in listed:
                yield _v(
                    "hiring.hires_list",
                    pid,
                    None,
                    f"{pid} is filled in the rows but missing from hires",
                )


def _runs(states: list[Cell], role: str) -> Iterator[tuple[int, int, str]]:
    """Maximal runs (first, last, territory) of one role in one territory."""
    i = 0
    while i < len(states):
        cell = states[i]
        if cell.role != role:
            i += 1
            continue
        j = i
        while j + 1 < len(states) and states[j + 1] == cell:
            j += 1
        assert cell.territory is not None
        yield i, j, cell.territory
        i = j + 1


def _carried(person: Person, first: int, cell: Cell) -> int:
    """Periods of `current` a run counts when it starts the horizon and continues that stint."""
    current = person.current
    if first != 0 or current is None or Cell(current.role, current.territory) != cell:
        return 0
    return current.periods


def check_rotation(ctx: Context) -> Iterator[Violation]:
    """Hunter stints, cooldowns, farmer tenure (reps, over available periods) and handover."""
    sched = ctx.sched
    s = sched.scenario
    rotation = s.policy.active_rotation
    if rotation is None:
        return
    for person in sched.active:
        if person.is_position or person.veteran:
            continue  # hires are local reps; veteran protection outranks rotation
        periods = sched.available_periods(person)
        states = [sched.cells[person.id][p] for p in periods]
        current = person.current
        ended: list[tuple[int, str]] = []  # (index of the stint's last period, territory)
        if (
            current is not None
            and current.role == "hunter"
            and (not states or states[0] != Cell("hunter", current.territory))
        ):
            ended.append((-1, current.territory))
        for first, last, t in _runs(states, "hunter"):
            before = _carried(person, first, Cell("hunter", t))
            length = last - first + 1 + before
            cut = last == len(states) - 1
            if length > rotation.hunter_stint_max:
                at = max(first, first + rotation.hunter_stint_max - before)
                yield _v(
                    "rotation.stint_max",
                    person.id,
                    periods[at],
                    f"{person.id}'s hunter stint in {t} reaches {length} periods"
                    f"{' (counting current)' if before else ''}, above hunter_stint_max "
                    f"{rotation.hunter_stint_max}",
                )
            if length < rotation.hunter_stint_min and not cut:
                yield _v(
                    "rotation.stint_min",
                    person.id,
                    periods[last],
                    f"{person.id}'s hunter stint in {t} ends after {length} period(s), below "
                    f"hunter_stint_min {rotation.hunter_stint_min}",
                )
            ended.append((last, t))
        for last, t in ended:
            for k in range(last + 1, min(len(states), last + 1 + rotation.hunter_cooldown)):
                if states[k] == Cell("hunter", t):
                    yield _v(
                        "rotation.cooldown",
                        person.id,
                        periods[k],
                        f"{person.id} hunts {t} again within hunter_cooldown "
                        f"{rotation.hunter_cooldown} of his stint there",
                    )
        if rotation.farmer_max_tenure is not None:
            for first, last, t in _runs(states, "farmer"):
                before = _carried(person, first, Cell("farmer", t))
                if last - first + 1 + before > rotation.farmer_max_tenure:
                    at = max(first, first + rotation.farmer_max_tenure - before)
                    yield _v(
                        "rotation.farmer_tenure",
                        person.id,
                        periods[at],
                        f"{person.id} farms {t} longer than farmer_max_tenure "
                        f"{rotation.farmer_max_tenure}",
                    )
    if rotation.handover_requires_farmer:
        for t, flows in ctx.dyn.territories.items():
            for p in range(s.periods):
                if flows.hunters[p] and not flows.farmers_counted[p]:
                    yield _v(
                        "rotation.handover_farmer",
                        t,
                        p,
                        f"{t} is hunted but has no farmer to hand new clients to",
                    )


def check_specialization(ctx: Context) -> Iterator[Violation]:
    """One working role per person over the horizon."""
    sched = ctx.sched
    if not sched.scenario.policy.specialization_on:
        return
    for person in sched.active:
        first: str | None = None
        for p, cell in enumerate(sched.cells[person.id]):
            if not cell.working:
                continue
            if first is None:
                first = cell.role
            elif cell.role != first:
                yield _v(
                    "specialization",
                    person.id,
                    p,
                    f"{person.id} works as {cell.role} after working as {first}; "
                    "specialization allows one role",
                )
                break


def check_prospect_supply(ctx: Context) -> Iterator[Violation]:
    """`pool[t,p] >= min_prospects_per_hunter * hunters[t,p]`, hunters by head."""
    s = ctx.sched.scenario
    need = s.policy.min_prospects_per_hunter
    if need <= 0:
        return
    for t, flows in ctx.dyn.territories.items():
        for p in range(s.periods):
            if flows.pool[p] < need * flows.hunters[p]:
                yield _v(
                    "prospect_supply",
                    t,
                    p,
                    f"{flows.hunters[p]} hunter(s) need {need * flows.hunters[p]} prospects; "
                    f"the pool holds {flows.pool[p]}",
                )


def check_veterans(ctx: Context) -> Iterator[Violation]:
    """A protected veteran keeps his territory and role in every available period."""
    sched = ctx.sched
    for person in sched.active:
        if not person.veteran or person.current is None:
            continue
        keep = Cell(person.current.role, person.current.territory)
        for p in sched.available_periods(person):
            cell = sched.cells[person.id][p]
            if cell != keep:
                yield _v(
                    "veteran",
                    person.id,
                    p,
                    f"protected veteran {person.id} keeps {keep}, but is assigned {cell}",
                )


def check_coverage(ctx: Context) -> Iterator[Violation]:
    """`min_farmers` (counting farmers with a positive term) and `max_reps` (everyone working)."""
    s = ctx.sched.scenario
    for t in s.territories:
        flows = ctx.dyn.territories[t.id]
        for p in range(s.periods):
            if flows.farmers_counted[p] < t.min_farmers:
                yield _v(
                    "coverage.min_farmers",
                    t.id,
                    p,
                    f"{flows.farmers_counted[p]} farmer(s), below min_farmers {t.min_farmers}",
                )
            working = flows.hunters[p] + flows.farmers[p]
            if t.max_reps is not None and working > t.max_reps:
                yield _v(
                    "coverage.max_reps",
                    t.id,
                    p,
                    f"{working} people work here, above max_reps {t.max_reps}",
                )


def check_locks(ctx: Context) -> Iterator[Violation]:
    """A lock fixes its territory and/or role; a lock on a position forces it filled."""
    sched = ctx.sched
    for i, lock in enumerate(sched.scenario.locks):
        for p in lock.periods:
            cell = sched.cells[lock.rep][p]
            wrong_t = lock.territory is not None and cell.territory != lock.territory
            wrong_r = lock.role is not None and cell.role != lock.role
            if wrong_t or wrong_r:
                wanted = " ".join(
                    x for x in (lock.role, lock.territory and f"in {lock.territory}") if x
                )
                yield _v(
                    "lock",
                    lock.rep,
                    p,
                    f"locks[{i}] fixes {lock.rep} to {wanted}, but the plan has {cell}",
                )


def check_bonus(ctx: Context) -> Iterator[Violation]:
    """One level per period from the menu; only the neutral level when the bonus is off."""
    s = ctx.sched.scenario
    for p, level in enumerate(ctx.sched.levels):
        if level not in s.bonus_menu:
            yield _v(
                "bonus",
                "bonus",
                p,
                f"level '{level.name}' is not allowed: policy.bonus is off (only "
                f"'{s.neutral_level.name}')",
            )


def check_baseline(ctx: Context) -> Iterator[Violation]:
    """Frozen periods equal the baseline, states and bonus levels, unless the facts changed."""
    sched = ctx.sched
    s = sched.scenario
    b = s.baseline
    if b is None:
        return
    rows = baseline_rows(sched)
    for person in s.persons:
        for p, was in sorted(rows.get(person.id, {}).items()):
            if p >= b.freeze_periods or facts_changed(sched, person, p, was):
                continue
            now = sched.cells[person.id][p]
            if now != was:
                yield _v(
                    "baseline.frozen",
                    person.id,
                    p,
                    f"period {p} is frozen at {was} for {person.id}, but the plan has {now}",
                )
    for p, name in enumerate(b.bonus_levels[: b.freeze_periods]):
        if sched.levels[p].name != name:
            yield _v(
                "baseline.frozen",
                "bonus",
                p,
                f"period {p} is frozen at bonus level '{name}', but the plan has "
                f"'{sched.levels[p].name}'",
            )


RULES: tuple[Rule, ...] = (
    check_complete,
    check_availability,
    check_roles_and_reach,
    check_training,
    check_hiring,
    check_rotation,
    check_specialization,
    check_prospect_supply,
    check_veterans,
    check_coverage,
    check_locks,
    check_bonus,
    check_baseline,
)


def violations(ctx: Context) -> list[Violation]:
    """Every broken hard rule, rule by rule in the order of spec section 3."""
    found: list[Violation] = []
    for rule in RULES:
        found.extend(rule(ctx))
    return found
