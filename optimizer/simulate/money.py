"""Money over the horizon (spec section 4) and the change cost of re-planning (section 6)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from optimizer.plan import Cell
from optimizer.scenario import Person
from optimizer.simulate.dynamics import Dynamics
from optimizer.simulate.schedule import Schedule


@dataclass(frozen=True)
class Money:
    margin_total: int
    revenue_total: int
    terminal: int
    salaries: int
    hiring_cost: int
    travel: int
    bonus_cost: int
    handover: int
    switches: int
    bench: int
    new_clients: int
    shortfall_new_clients: int | None
    shortfall_revenue: int | None
    changes: int
    change_cost: int
    penalties: int

    @property
    def profit(self) -> int:
        return (
            self.margin_total
            + self.terminal
            - self.salaries
            - self.hiring_cost
            - self.travel
            - self.bonus_cost
            - self.handover
            - self.switches
            - self.bench
        )

    @property
    def score(self) -> int:
        return self.profit - self.penalties


COSTS = ("salaries", "hiring_cost", "travel", "bonus_cost", "handover", "switches", "bench")
"""The costs of section 4 that fall in a month, in `Money`'s order."""


def count_money(sched: Schedule, dyn: Dynamics, months: dict[str, list[int]]) -> Money:
    """The totals; `months` is `monthly_costs(sched, dyn)`, whose lists are summed here."""
    s = sched.scenario
    flows = dyn.territories.values()
    margin_total = sum(sum(f.margin) for f in flows)
    revenue_total = sum(sum(f.revenue) for f in flows)
    new_clients = sum(sum(f.won) for f in flows)
    terminal = sum(
        dyn.territories[t.id].acc[s.periods] * t.account_value * s.defaults.terminal_value_periods
        for t in s.territories
    )
    costs = {name: sum(month) for name, month in months.items()}
    targets = s.policy.active_targets
    shortfall_nc = (
        None if targets.goal_new_clients is None else max(0, targets.goal_new_clients - new_clients)
    )
    shortfall_rev = (
        None if targets.goal_revenue is None else max(0, targets.goal_revenue - revenue_total)
    )
    changes = count_changes(sched)
    change_cost = changes * (s.baseline.change_cost if s.baseline else 0)
    penalties = (
        targets.new_client_shortfall_cost * (shortfall_nc or 0)
        + targets.revenue_shortfall_cost_pct * (shortfall_rev or 0) // 100
        + change_cost
    )
    return Money(
        margin_total=margin_total,
        revenue_total=revenue_total,
        terminal=terminal,
        **costs,
        new_clients=new_clients,
        shortfall_new_clients=shortfall_nc,
        shortfall_revenue=shortfall_rev,
        changes=changes,
        change_cost=change_cost,
        penalties=penalties,
    )


def monthly_costs(sched: Schedule, dyn: Dynamics) -> dict[str, list[int]]:
    """Each cost of `COSTS`, month by month; `count_money` sums these lists, so the months add up
    to the totals by construction. A one-off cost falls in the month it happens: a hire's cost
    in his start month, a hand-over or a role switch in the month the person starts the new
    state."""
    s = sched.scenario
    flows = dyn.territories.values()
    hiring = [0] * s.periods
    if s.hiring is not None:
        for start in sched.start.values():
            hiring[start] += s.hiring.hire_cost
    return {
        "salaries": salaries(sched),
        "hiring_cost": hiring,
        "travel": travel(sched),
        "bonus_cost": [
            sched.level(p).per_client * sum(f.won[p] for f in flows) for p in range(s.periods)
        ],
        "handover": handover(sched),
        "switches": switches(sched),
        "bench": [
            s.defaults.bench_cost
            * sum(sched.cells[person.id][p].role == "bench" for person in sched.active)
            for p in range(s.periods)
        ],
    }


def salaries(sched: Schedule) -> list[int]:
    """Reps: salary per employed period, leave included. Hires: from start to the end."""
    s = sched.scenario
    month = [sum(rep.salary * s.employed(rep, p) for rep in s.reps) for p in range(s.periods)]
    if s.hiring is not None:
        for start in sched.start.values():
            for p in range(start, s.periods):
                month[p] += s.hiring.salary
    return month


def travel(sched: Schedule) -> list[int]:
    """Each rep-period hunting or farming outside home costs the rep's travel cost."""
    month = [0] * sched.scenario.periods
    for person in sched.active:
        for p, cell in enumerate(sched.cells[person.id]):
            if cell.working and cell.territory != person.home:
                month[p] += person.travel_cost
    return month


def handover(sched: Schedule) -> list[int]:
    """`handover_cost` of t each time a person farmed t and does not farm t next, in the month
    of "next".

    "Next" is the person's next available period: leave is skipped, and departure or the horizon
    end charge nothing. A `current` farmer stint counts as the period before the first.
    """
    s = sched.scenario
    month = [0] * s.periods
    for person in sched.active:
        states = [(p, sched.cells[person.id][p]) for p in sched.available_periods(person)]
        if person.current is not None and person.current.role == "farmer" and states:
            states.insert(0, (-1, Cell("farmer", person.current.territory)))
        for (_, before), (p, after) in pairwise(states):
            if before.role == "farmer" and after != before:
                assert before.territory is not None
                month[p] += s.territory_by_id[before.territory].handover_cost
    return month


def switches(sched: Schedule) -> list[int]:
    """`role_switch_cost` per hunter<->farmer change between consecutive working periods, in the
    month of the later one."""
    s = sched.scenario
    month = [0] * s.periods
    for person in sched.active:
        roles = [(p, cell.role) for p, cell in enumerate(sched.cells[person.id]) if cell.working]
        if person.current is not None:
            roles.insert(0, (-1, person.current.role))
        for (_, a), (p, b) in pairwise(roles):
            month[p] += s.defaults.role_switch_cost * (a != b)
    return month


def baseline_rows(sched: Schedule) -> dict[str, dict[int, Cell]]:
    """Baseline rows per person of this scenario; a rep answers for his `from_position`."""
    s = sched.scenario
    if s.baseline is None:
        return {}
    owner = {r.from_position: r.id for r in s.reps if r.from_position}
    rows: dict[str, dict[int, Cell]] = {}
    for a in s.baseline.assignments:
        person = owner.get(a.person, a.person)
        rows.setdefault(person, {})[a.period] = Cell(a.role, a.territory)
    return rows


def facts_changed(sched: Schedule, person: Person, period: int, was: Cell) -> bool:
    """The actuals moved this person-period: now unavailable (or gone), or now available where
    the baseline had him off. Such person-periods are free, frozen or not (section 6)."""
    if person.is_position:
        return False
    rep = sched.scenario.rep_by_id[person.id]
    available = sched.scenario.rep_available(rep, period)
    return (not available and was.role != "off") or (available and was.role == "off")


def count_changes(sched: Schedule) -> int:
    """Person-periods from `freeze_periods` on whose state differs from the baseline."""
    s = sched.scenario
    if s.baseline is None:
        return 0
    rows = baseline_rows(sched)
    changed = 0
    for person in s.persons:
        for p, was in rows.get(person.id, {}).items():
            if p < s.baseline.freeze_periods or facts_changed(sched, person, p, was):
                continue
            changed += sched.cells[person.id][p] != was
    return changed
