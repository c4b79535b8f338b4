"""Every hard rule of spec section 3, returning structured violations.

The rules of one person (availability, roles and reach, training, stints and cooldowns,
specialization, veterans, locks, frozen periods) are `optimizer.simulate.person.PersonRules`,
stepped over each row — the same definitions the greedy asks before it places a cell. The
rules over territories and the whole plan are a `check_*` each here; they read the schedule,
the dynamics (pools, farmer terms) and the plan's own `hires` list; none changes anything.
Their tests on a territory-period's head counts are `optimizer.simulate.territory`'s, which
the greedy asks too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from optimizer.plan import Plan, Violation
from optimizer.simulate.dynamics import Dynamics
from optimizer.simulate.person import person_violations
from optimizer.simulate.schedule import Schedule
from optimizer.simulate.territory import (
    floor_met,
    handover_met,
    office_fits,
    pool_feeds,
    trainees_fit,
    trainer_capacity,
)


@dataclass(frozen=True)
class Context:
    sched: Schedule
    dyn: Dynamics
    plan: Plan


Rule = Callable[[Context], Iterator[Violation]]


def _v(rule: str, entity: str, period: int | None, message: str) -> Violation:
    return Violation(rule=rule, entity=entity, period=period, message=message)


def check_complete(ctx: Context) -> Iterator[Violation]:
    """Every rep has a row in every period (a missing row is read as off)."""
    for person, p in ctx.sched.missing:
        yield _v("assignment.missing", person, p, f"no assignment for {person} (read as off)")


def check_training_capacity(ctx: Context) -> Iterator[Violation]:
    """At most `trainer_capacity` trainees per period."""
    sched = ctx.sched
    s = sched.scenario
    for p in range(s.periods):
        trainees = sum(sched.cells[x.id][p].role == "trainee" for x in sched.active)
        if not trainees_fit(s, trainees):
            yield _v(
                "training.capacity",
                "training",
                p,
                f"{trainees} trainees, above trainer_capacity {trainer_capacity(s)}",
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


def check_handover(ctx: Context) -> Iterator[Violation]:
    """With `handover_requires_farmer`, a hunted territory has a counted farmer then."""
    s = ctx.sched.scenario
    for t, flows in ctx.dyn.territories.items():
        for p in range(s.periods):
            if not handover_met(s, flows.hunters[p], flows.farmers_counted[p]):
                yield _v(
                    "rotation.handover_farmer",
                    t,
                    p,
                    f"{t} is hunted but has no farmer to hand new clients to",
                )


def check_prospect_supply(ctx: Context) -> Iterator[Violation]:
    """`pool[t,p] >= min_prospects_per_hunter * hunters[t,p]`, hunters by head."""
    s = ctx.sched.scenario
    need = s.policy.min_prospects_per_hunter
    if need <= 0:
        return
    for t, flows in ctx.dyn.territories.items():
        for p in range(s.periods):
            if not pool_feeds(s, flows.pool[p], flows.hunters[p]):
                yield _v(
                    "prospect_supply",
                    t,
                    p,
                    f"{flows.hunters[p]} hunter(s) need {need * flows.hunters[p]} prospects; "
                    f"the pool holds {flows.pool[p]}",
                )


def check_coverage(ctx: Context) -> Iterator[Violation]:
    """`min_farmers` (counting farmers with a positive term) and `max_reps` (everyone working)."""
    s = ctx.sched.scenario
    for t in s.territories:
        flows = ctx.dyn.territories[t.id]
        for p in range(s.periods):
            if not floor_met(t, flows.farmers_counted[p]):
                yield _v(
                    "coverage.min_farmers",
                    t.id,
                    p,
                    f"{flows.farmers_counted[p]} farmer(s), below min_farmers {t.min_farmers}",
                )
            working = flows.hunters[p] + flows.farmers[p]
            if not office_fits(t, working):
                yield _v(
                    "coverage.max_reps",
                    t.id,
                    p,
                    f"{working} people work here, above max_reps {t.max_reps}",
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


def check_baseline_bonus(ctx: Context) -> Iterator[Violation]:
    """Frozen periods keep the baseline's bonus levels."""
    sched = ctx.sched
    b = sched.scenario.baseline
    if b is None:
        return
    for p, name in enumerate(b.bonus_levels[: b.freeze_periods]):
        if sched.levels[p].name != name:
            yield _v(
                "baseline.frozen",
                "bonus",
                p,
                f"period {p} is frozen at bonus level '{name}', but the plan has "
                f"'{sched.levels[p].name}'",
            )


# spec section 3's order: each rule group's person rules (`optimizer.simulate.person`, by
# group number) come before the group's rules over territories and the whole plan
RULES: tuple[tuple[int, Rule | None], ...] = (
    (1, check_complete),
    (2, None),  # availability
    (3, None),  # roles and reach
    (4, check_training_capacity),
    (4, None),  # training, per person
    (5, check_hiring),
    (6, None),  # rotation, per person
    (6, check_handover),
    (7, None),  # specialization
    (8, check_prospect_supply),
    (9, None),  # veterans
    (10, check_coverage),
    (11, None),  # locks
    (12, check_bonus),
    (13, None),  # frozen baseline periods, per person
    (13, check_baseline_bonus),
)


def violations(ctx: Context) -> list[Violation]:
    """Every broken hard rule, rule by rule in the order of spec section 3."""
    sched = ctx.sched
    by_group: dict[int, list[tuple[tuple[int, ...], Violation]]] = {}
    for key, v in person_violations(sched.scenario, sched.cells, sched.start):
        by_group.setdefault(key[0], []).append((key, v))
    found: list[Violation] = []
    for group, rule in RULES:
        if rule is None:
            found.extend(v for _, v in sorted(by_group.get(group, []), key=lambda kv: kv[0]))
        else:
            found.extend(rule(ctx))
    return found
