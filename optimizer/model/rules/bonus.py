"""Acquisition bonus (sections 3-4): one level per period from the menu, and its cost
`per_client(level[p]) * sum_t won[t,p]`. The uplift itself acts in `dynamics`."""

from __future__ import annotations

from optimizer.model.core import Build, Term
from optimizer.model.variables import Expr, total


def add_levels(b: Build) -> list[Term]:
    """Exactly one level per period (before the dynamics, which read the levels)."""
    for p in range(b.scenario.periods):
        lits = [x for x in b.vars.level[p].values() if not isinstance(x, int)]
        if lits:
            b.model.add_exactly_one(lits)
    return []


def add(b: Build) -> list[Term]:
    """The bonus cost: each level's price times the clients won under it (see dynamics)."""
    prices = {level.name: level.per_client for level in b.scenario.bonus_menu}
    cost: list[Expr] = []
    for by_level in b.won_by_level.values():
        for name, parts in by_level.items():
            cost.extend(prices[name] * x for x in parts)
    return [Term("bonus_cost", total(cost), -1)]
