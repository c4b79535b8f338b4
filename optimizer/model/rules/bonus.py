"""Acquisition bonus (sections 3-4): one level per period from the menu, and its cost
`per_client(level[p]) * sum_t won[t,p]`. The uplift itself acts in `dynamics`."""

from __future__ import annotations

from optimizer.model.core import Build, Term
from optimizer.model.variables import Expr


def add_levels(b: Build) -> list[Term]:
    """Exactly one level per period (before the dynamics, which read the levels)."""
    for p in range(b.scenario.periods):
        lits = [x for x in b.vars.level[p].values() if not isinstance(x, int)]
        if lits:
            b.model.add_exactly_one(lits)
    return []


def add(b: Build) -> list[Term]:
    """The bonus cost of each period, exact for whichever level is chosen."""
    s = b.scenario
    costs: list[Expr] = []
    prices = {level.name: level.per_client for level in s.bonus_menu}
    for p in range(s.periods):
        won = b.won_total[p]
        if len(set(prices.values())) == 1:
            costs.append(next(iter(prices.values())) * won)
            continue
        won_max = sum(t.prospects + p * t.prospect_inflow for t in s.territories)
        cost = b.int_var(0, max(prices.values()) * won_max, f"bonus_cost[{p}]")
        for name, price in prices.items():
            chosen = b.vars.level[p][name]
            if isinstance(chosen, int):
                if chosen:
                    b.model.add(cost == price * won)
                continue
            b.model.add(cost == price * won).only_enforce_if(chosen)
        costs.append(cost)
    return [Term("bonus_cost", sum(costs), -1)]
