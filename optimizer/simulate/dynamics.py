"""Section 4 of the spec, literally: the integer dynamics of accounts and prospect pools.

Names follow the spec: `hc`, `hcu`, `won`, `fc`, `served`, `lost`, `churn`, `carry`, `pool`,
`acc`. Each person's term is floored on its own before summing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from optimizer.scenario import Scenario, Territory
from optimizer.simulate.schedule import Schedule


@dataclass
class TerritoryFlows:
    """One territory over the horizon; lists indexed by period (`acc`, `pool` have periods+1)."""

    pool: list[int] = field(default_factory=list)
    acc: list[int] = field(default_factory=list)
    hunters: list[int] = field(default_factory=list)  # by head
    farmers: list[int] = field(default_factory=list)  # by head, any term
    farmers_counted: list[int] = field(default_factory=list)  # farmer term > 0 (section 3)
    hc: list[int] = field(default_factory=list)
    hcu: list[int] = field(default_factory=list)
    won: list[int] = field(default_factory=list)
    fc: list[int] = field(default_factory=list)
    served: list[int] = field(default_factory=list)
    churn: list[int] = field(default_factory=list)
    margin: list[int] = field(default_factory=list)
    revenue: list[int] = field(default_factory=list)


@dataclass
class Dynamics:
    """The flows of every territory, and every working person's own term per period."""

    territories: dict[str, TerritoryFlows]
    hunter_terms: dict[tuple[str, int], int]  # (person, period) -> own hc term
    farmer_terms: dict[tuple[str, int], int]  # (person, period) -> own fc term


def run_dynamics(sched: Schedule) -> Dynamics:
    """Roll pools and accounts forward period by period."""
    s = sched.scenario
    flows = {t.id: TerritoryFlows(pool=[t.prospects], acc=[t.accounts]) for t in s.territories}
    carry = {t.id: 0 for t in s.territories}
    hunter_terms: dict[tuple[str, int], int] = {}
    farmer_terms: dict[tuple[str, int], int] = {}

    for p in range(s.periods):
        hc = dict.fromkeys(flows, 0)
        fc = dict.fromkeys(flows, 0)
        hunters = dict.fromkeys(flows, 0)
        farmers = dict.fromkeys(flows, 0)
        counted = dict.fromkeys(flows, 0)
        for person in sched.active:
            cell = sched.cells[person.id][p]
            if cell.role == "hunter":
                assert cell.territory is not None
                term = sched.hunter_term(person, p)
                hunter_terms[(person.id, p)] = term
                hc[cell.territory] += term
                hunters[cell.territory] += 1
            elif cell.role == "farmer":
                assert cell.territory is not None
                term = sched.farmer_term(person, p, cell.territory)
                farmer_terms[(person.id, p)] = term
                fc[cell.territory] += term
                farmers[cell.territory] += 1
                counted[cell.territory] += term > 0

        uplift = sched.level(p).uplift_pct
        for t in s.territories:
            f = flows[t.id]
            step = territory_step(
                s, t, f.pool[p], f.acc[p], carry[t.id], hc[t.id], fc[t.id], uplift
            )
            carry[t.id] = step.carry
            f.hunters.append(hunters[t.id])
            f.farmers.append(farmers[t.id])
            f.farmers_counted.append(counted[t.id])
            f.hc.append(hc[t.id])
            f.hcu.append(step.hcu)
            f.won.append(step.won)
            f.fc.append(fc[t.id])
            f.served.append(step.served)
            f.churn.append(step.churn)
            f.margin.append(step.margin)
            f.revenue.append(step.revenue)
            f.acc.append(step.acc)
            f.pool.append(step.pool)

    return Dynamics(territories=flows, hunter_terms=hunter_terms, farmer_terms=farmer_terms)


@dataclass(frozen=True)
class Step:
    """One territory's flows in one period, and its state at the start of the next."""

    hcu: int
    won: int
    served: int
    churn: int
    carry: int  # carry[t,p+1]
    acc: int  # acc[t,p+1]
    pool: int  # pool[t,p+1]
    margin: int
    revenue: int


def territory_step(
    s: Scenario, t: Territory, pool: int, acc: int, carry: int, hc: int, fc: int, uplift: int
) -> Step:
    """The section 4 formulas for one territory and period, with the spec's names."""
    return Step(*flows(s, t, pool, acc, carry, hc, fc, uplift, min))


def flows(
    s: Scenario,
    t: Any,
    pool: Any,
    acc: Any,
    carry: Any,
    hc: Any,
    fc: Any,
    uplift: Any,
    least: Callable[[Any, Any], Any],
    noise: Callable[[Any, str], Any] | None = None,
) -> tuple[Any, ...]:
    """Section 4's recurrence for one period, the one definition of it: on integers for the
    exact course (`least` = `min`), on arrays over samples and territories for the noisy one
    of section 8 (`optimizer.simulate.noisy`: `t` holds each territory's constants as arrays,
    `least` = `numpy.minimum`, and `noise(x, kind)` = floor(x * factor) for the `revenue`
    and `churn` factors). Returns `Step`'s fields in order."""
    scaled = noise or _exact
    hcu = hc * uplift // 100
    won = least(hcu, pool * t.win_share_pct // 100)
    served = least(acc, fc)
    unserved = acc - served
    rates = served * s.defaults.churn_served_pct + unserved * s.defaults.churn_unserved_pct
    lost = scaled(rates, "churn") + carry
    churn = lost // 100
    margin = scaled(served * t.account_value, "revenue")
    revenue = scaled(served * t.revenue_per_account, "revenue")
    return (
        hcu,
        won,
        served,
        churn,
        lost % 100,
        acc - churn + won,
        pool - won + t.prospect_inflow,
        margin,
        revenue,
    )


def _exact(x: Any, kind: str) -> Any:
    return x
