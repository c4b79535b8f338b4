"""Company goals (section 4): shortfall penalties for new clients and revenue, exact."""

from __future__ import annotations

from optimizer.model.core import Build, Term
from optimizer.model.variables import Expr, total


def add(b: Build) -> list[Term]:
    s = b.scenario
    t = s.policy.active_targets
    penalty: list[Expr] = []
    if t.goal_new_clients is not None and t.new_client_shortfall_cost:
        short = _shortfall(b, t.goal_new_clients, total(b.won_total), "shortfall_new_clients")
        penalty.append(t.new_client_shortfall_cost * short)
    if t.goal_revenue is not None and t.revenue_shortfall_cost_pct:
        short = _shortfall(b, t.goal_revenue, b.revenue_total, "shortfall_revenue")
        if isinstance(short, int):
            penalty.append(t.revenue_shortfall_cost_pct * short // 100)
        else:
            high = t.revenue_shortfall_cost_pct * t.goal_revenue // 100
            cost = b.int_var(0, high, "revenue_shortfall_cost")
            b.model.add(100 * cost <= t.revenue_shortfall_cost_pct * short)
            b.model.add(t.revenue_shortfall_cost_pct * short <= 100 * cost + 99)
            penalty.append(cost)
    return [Term("shortfall", total(penalty), -1)]


def _shortfall(b: Build, goal: int, achieved: Expr, name: str) -> Expr:
    """max(0, goal - achieved), exact."""
    if isinstance(achieved, int):
        return max(0, goal - achieved)
    short = b.int_var(0, goal, name)
    b.model.add_max_equality(short, [0, goal - achieved])
    return short
