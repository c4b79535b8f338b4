"""Section 4 of the spec, literally: the integer dynamics of accounts and prospect pools.

Names follow the spec: `hc`, `hcu`, `won`, `fc`, `served`, `lost`, `churn`, `carry`, `pool`,
`acc`. Each person's term is floored on its own before summing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

        uplift = sched.levels[p].uplift_pct
        for t in s.territories:
            f = flows[t.id]
            pool, acc = f.pool[p], f.acc[p]
            hcu = hc[t.id] * uplift // 100
            won = min(hcu, pool * t.win_share_pct // 100)
            served = min(acc, fc[t.id])
            unserved = acc - served
            lost = (
                served * s.defaults.churn_served_pct
                + unserved * s.defaults.churn_unserved_pct
                + carry[t.id]
            )
            churn = lost // 100
            carry[t.id] = lost % 100

            f.hunters.append(hunters[t.id])
            f.farmers.append(farmers[t.id])
            f.farmers_counted.append(counted[t.id])
            f.hc.append(hc[t.id])
            f.hcu.append(hcu)
            f.won.append(won)
            f.fc.append(fc[t.id])
            f.served.append(served)
            f.churn.append(churn)
            f.margin.append(served * t.account_value)
            f.revenue.append(served * t.revenue_per_account)
            f.acc.append(acc - churn + won)
            f.pool.append(pool - won + t.prospect_inflow)

    return Dynamics(territories=flows, hunter_terms=hunter_terms, farmer_terms=farmer_terms)
