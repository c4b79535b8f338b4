"""Section 4 as constraints: hc, hcu, won, fc, served, churn with carry, accounts and pools.

Every quantity is fixed by the decisions (floors as `100*q <= x <= 100*q + 99`, minima as
`add_min_equality`), so the objective equals the simulator's score on every solution, not only
at the optimum. Quantities that no decision can move stay Python integers.
"""

from __future__ import annotations

from optimizer.model.core import Build, Term, TerritoryVars
from optimizer.model.variables import Expr, Lit
from optimizer.scenario import Person, Territory


def add(b: Build) -> list[Term]:
    s = b.scenario
    margin: list[Expr] = []
    revenue: list[Expr] = []
    terminal: list[Expr] = []
    b.won_total = [0] * s.periods
    for t in s.territories:
        tv = _territory(b, t)
        b.territories[t.id] = tv
        for p in range(s.periods):
            b.won_total[p] = b.won_total[p] + tv.won[p]
            margin.append(t.account_value * tv.served[p])
            revenue.append(t.revenue_per_account * tv.served[p])
        terminal.append(t.account_value * s.defaults.terminal_value_periods * tv.acc[s.periods])
    b.revenue_total = sum(revenue)
    return [
        Term("margin_total", sum(margin), +1),
        Term("terminal", sum(terminal), +1),
    ]


def _territory(b: Build, t: Territory) -> TerritoryVars:
    s, v = b.scenario, b.vars
    d = s.defaults
    tv = TerritoryVars(pool=[t.prospects], acc=[t.accounts])
    carry: Expr = 0
    carry_max = 0
    acc_max = t.accounts
    uplifts = {level.name: level.uplift_pct for level in s.bonus_menu}
    for p in range(s.periods):
        hunters = v.hunters.get((t.id, p), [])
        farmers = v.farmers.get((t.id, p), [])
        hc, hc_max = _capacity(b, hunters, p, "hunter", t)
        fc, fc_max = _capacity(b, farmers, p, "farmer", t)
        tv.hunters.append(sum(lit for _, lit in hunters) if hunters else 0)
        tv.workers.append(tv.hunters[p] + (sum(lit for _, lit in farmers) if farmers else 0))
        tv.counted_farmers.append(_counted_farmers(b, farmers, p, t))
        pool, acc = tv.pool[p], tv.acc[p]
        pool_max = t.prospects + p * t.prospect_inflow

        hcu, hcu_max = _uplifted(b, hc, hc_max, p, uplifts, t)
        share = _floor_pct(b, pool, t.win_share_pct, pool_max, f"share[{t.id},{p}]")
        won = _min(b, hcu, hcu_max, share, pool_max * t.win_share_pct // 100, f"won[{t.id},{p}]")
        served = _min(b, acc, acc_max, fc, fc_max, f"served[{t.id},{p}]")
        # lost = served * churn_served + unserved * churn_unserved + carry
        lost = served * d.churn_served_pct + (acc - served) * d.churn_unserved_pct + carry
        lost_max = acc_max * max(d.churn_served_pct, d.churn_unserved_pct) + carry_max
        if isinstance(lost, int):
            churn, carry = lost // 100, lost % 100
        else:
            churn = b.int_var(0, lost_max // 100, f"churn[{t.id},{p}]")
            carry = b.int_var(0, min(99, lost_max), f"carry[{t.id},{p + 1}]")
            b.model.add(lost == 100 * churn + carry)
        carry_max = min(99, lost_max)
        won_max = min(hcu_max, pool_max * t.win_share_pct // 100)
        tv.won.append(won)
        tv.served.append(served)
        acc_max += won_max
        tv.acc.append(_settle(b, acc - churn + won, acc_max, f"acc[{t.id},{p + 1}]"))
        tv.pool.append(
            _settle(
                b,
                pool - won + t.prospect_inflow,
                pool_max + t.prospect_inflow,
                f"pool[{t.id},{p + 1}]",
            )
        )
    return tv


def _capacity(
    b: Build, people: list[tuple[Person, Lit]], p: int, role: str, t: Territory
) -> tuple[Expr, int]:
    """`hc` or `fc`: each person's floored term times his cell literal; ramped hires per month."""
    total: Expr = 0
    high = 0
    for person, lit in people:
        full = _term(b, person, p, role, t, month=None)
        total = total + full * lit
        high += full
        for month, ramp_lit in _ramp_months(b, person, p, lit):
            delta = _term(b, person, p, role, t, month=month) - full
            if delta:
                total = total + delta * ramp_lit
    return total, high


def _term(b: Build, person: Person, p: int, role: str, t: Territory, month: int | None) -> int:
    """A person's floored term (section 4); for a hire `month` periods after his start, or
    fully ramped when `month` is None."""
    s = b.scenario
    if person.is_position:
        assert s.hiring is not None
        ramp = s.hiring.ramp_pct
        prod = ramp[month] if month is not None and month < len(ramp) else 100
    else:
        prod = s.productivity(person, p)
    if role == "hunter":
        return person.hunter_capacity * prod // 100
    return t.accounts_per_farmer * person.farmer_capacity_pct * prod // 10000


def _ramp_months(b: Build, person: Person, p: int, lit: Lit) -> list[tuple[int, Lit]]:
    """For a hire: (month, cell AND started month periods ago) for each month still ramping."""
    s, v = b.scenario, b.vars
    if not person.is_position or s.hiring is None:
        return []
    out = []
    for month in range(len(s.hiring.ramp_pct)):
        started = v.started_at(person, p - month)
        if isinstance(started, int) and started == 0:
            continue
        out.append((month, v.and_([lit, started], f"ramp[{person.id},{p},{month}]")))
    return out


def _counted_farmers(b: Build, farmers: list[tuple[Person, Lit]], p: int, t: Territory) -> Expr:
    """Farmers whose own term is positive (they count for min_farmers and handover)."""
    total: Expr = 0
    for person, lit in farmers:
        full = _term(b, person, p, "farmer", t, month=None)
        if full > 0:
            total = total + lit
        for month, ramp_lit in _ramp_months(b, person, p, lit):
            ramped = _term(b, person, p, "farmer", t, month=month)
            if (ramped > 0) != (full > 0):
                total = total + (1 if ramped > 0 else -1) * ramp_lit
    return total


def _uplifted(
    b: Build, hc: Expr, hc_max: int, p: int, uplifts: dict[str, int], t: Territory
) -> tuple[Expr, int]:
    """`hcu = hc * uplift(level[p]) // 100`, the floor exact for whichever level is chosen."""
    top = max(uplifts.values())
    if isinstance(hc, int) and (hc == 0 or len(set(uplifts.values())) == 1):
        return hc * top // 100, hc * top // 100
    if len(set(uplifts.values())) == 1 and top == 100:
        return hc, hc_max
    hcu = b.int_var(0, hc_max * top // 100, f"hcu[{t.id},{p}]")
    for name, uplift in uplifts.items():
        chosen = b.vars.level[p][name]
        if isinstance(chosen, int) and chosen == 0:
            continue
        enforce = [] if isinstance(chosen, int) else [chosen]
        b.model.add(100 * hcu <= uplift * hc).only_enforce_if(enforce)
        b.model.add(uplift * hc <= 100 * hcu + 99).only_enforce_if(enforce)
    return hcu, hc_max * top // 100


def _floor_pct(b: Build, x: Expr, pct: int, x_max: int, name: str) -> Expr:
    """`x * pct // 100`, exact."""
    if isinstance(x, int):
        return x * pct // 100
    q = b.int_var(0, x_max * pct // 100, name)
    b.model.add(100 * q <= pct * x)
    b.model.add(pct * x <= 100 * q + 99)
    return q


def _min(b: Build, x: Expr, x_max: int, y: Expr, y_max: int, name: str) -> Expr:
    """`min(x, y)` of two non-negative quantities, exact."""
    if isinstance(x, int) and isinstance(y, int):
        return min(x, y)
    if (isinstance(x, int) and x == 0) or (isinstance(y, int) and y == 0):
        return 0
    m = b.int_var(0, min(x_max, y_max), name)
    b.model.add_min_equality(m, [x, y])
    return m


def _settle(b: Build, expr: Expr, high: int, name: str) -> Expr:
    """A named variable equal to `expr` (keeps the next period's expressions short)."""
    if isinstance(expr, int):
        return expr
    x = b.int_var(0, high, name)
    b.model.add(x == expr)
    return x
