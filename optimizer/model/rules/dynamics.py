"""Section 4 as constraints: hc, hcu, won, fc, served, churn with carry, accounts and pools.

Every quantity is fixed by the decisions (floors as `100*q <= x <= 100*q + 99`, minima as
`add_min_equality`), so the objective equals the simulator's score on every solution, not only
at the optimum. Quantities that no decision can move stay Python integers.
"""

from __future__ import annotations

from optimizer.model.core import Build, Term, TerritoryVars
from optimizer.model.variables import Expr, Lit, total
from optimizer.scenario import Person, Territory


def add(b: Build) -> list[Term]:
    s = b.scenario
    margin: list[Expr] = []
    revenue: list[Expr] = []
    terminal: list[Expr] = []
    won: list[list[Expr]] = [[] for _ in range(s.periods)]
    for t in s.territories:
        tv = _territory(b, t)
        b.territories[t.id] = tv
        for p in range(s.periods):
            won[p].append(tv.won[p])
            margin.append(t.account_value * tv.served[p])
            revenue.append(t.revenue_per_account * tv.served[p])
        terminal.append(t.account_value * s.defaults.terminal_value_periods * tv.acc[s.periods])
    b.won_total = [total(w) for w in won]
    b.revenue_total = total(revenue)
    return [
        Term("margin_total", total(margin), +1),
        Term("terminal", total(terminal), +1),
    ]


def _territory(b: Build, t: Territory) -> TerritoryVars:
    s, v = b.scenario, b.vars
    d = s.defaults
    tv = TerritoryVars(pool=[t.prospects], acc=[t.accounts])
    carry: Expr = 0
    carry_max = 0
    acc_max = t.accounts
    for p in range(s.periods):
        hunters = v.hunters.get((t.id, p), [])
        farmers = v.farmers.get((t.id, p), [])
        hc, hc_max = _capacity(b, hunters, p, "hunter", t)
        fc, fc_max = _capacity(b, farmers, p, "farmer", t)
        tv.hunters.append(total(lit for _, lit in hunters))
        tv.workers.append(total([lit for _, lit in hunters] + [lit for _, lit in farmers]))
        tv.counted_farmers.append(_counted_farmers(b, farmers, p, t))
        pool, acc = tv.pool[p], tv.acc[p]
        pool_max = t.prospects + p * t.prospect_inflow

        share_max = pool_max * t.win_share_pct // 100
        share = _floor_pct(b, pool, t.win_share_pct, pool_max, f"share[{t.id},{p}]")
        won, won_max = _won(b, t, p, hc, hc_max, share, share_max)
        _cap_by_person(b, hunters, p, "hunter", t, won, share_max)
        served = _min(b, acc, acc_max, fc, fc_max, f"served[{t.id},{p}]")
        _cap_by_person(b, farmers, p, "farmer", t, served, acc_max)
        # lost = served * churn_served + unserved * churn_unserved + carry
        lost = served * d.churn_served_pct + (acc - served) * d.churn_unserved_pct + carry
        lost_max = acc_max * max(d.churn_served_pct, d.churn_unserved_pct) + carry_max
        churn: Expr
        if isinstance(lost, int):
            churn, carry = lost // 100, lost % 100
        else:
            churn = b.int_var(0, lost_max // 100, f"churn[{t.id},{p}]")
            carry = b.int_var(0, min(99, lost_max), f"carry[{t.id},{p + 1}]")
            b.model.add(lost == 100 * churn + carry)
        carry_max = min(99, lost_max)
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
    terms: list[Expr] = []
    high = 0
    for person, lit in people:
        full = _term(b, person, p, role, t, month=None)
        terms.append(full * lit)
        high += _max_term(b, person, p, role, t)  # a ramp may exceed 100 %
        for month, ramp_lit in _ramp_months(b, person, p, lit):
            delta = _term(b, person, p, role, t, month=month) - full
            if delta:
                terms.append(delta * ramp_lit)
    return total(terms), high


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
        return s.hunter_term(person, prod)
    return s.farmer_term(person, t, prod)


def _ramp_months(b: Build, person: Person, p: int, lit: Lit) -> list[tuple[int, Lit]]:
    """For a hire's cell at p: (month, part of the cell worked `month` periods after start).

    The cell is split by start cohort: `y_k <= start[p-k]`, the parts sum to at most the cell,
    and what is left must come from starts at least `len(ramp)` periods back. Exact for every
    integer start, and much tighter in the LP than `cell AND start` (which a fractional start
    lets fall to 0, hiding the ramp).
    """
    s, v = b.scenario, b.vars
    if not person.is_position or s.hiring is None or isinstance(lit, int):
        return []
    key = (person.id, p, lit.Index())
    if key in b.ramp_parts:
        return b.ramp_parts[key]
    ramp = len(s.hiring.ramp_pct)
    out: list[tuple[int, Lit]] = []
    for month in range(ramp):
        started = v.started_at(person, p - month)
        if isinstance(started, int):
            continue
        y = b.model.new_bool_var(f"ramp[{person.id},{p},{month}]")
        b.model.add(y <= started)
        b.model.add(y <= lit)
        out.append((month, y))
    if out:
        b.model.add(sum(y for _, y in out) <= lit)
        b.model.add(lit - sum(y for _, y in out) <= v.filled(person, p - ramp))
    b.ramp_parts[key] = out
    return out


def _counted_farmers(b: Build, farmers: list[tuple[Person, Lit]], p: int, t: Territory) -> Expr:
    """Farmers whose own term is positive (they count for min_farmers and handover)."""
    counted: list[Expr] = []
    for person, lit in farmers:
        full = _term(b, person, p, "farmer", t, month=None)
        if full > 0:
            counted.append(lit)
        for month, ramp_lit in _ramp_months(b, person, p, lit):
            ramped = _term(b, person, p, "farmer", t, month=month)
            if (ramped > 0) != (full > 0):
                counted.append((1 if ramped > 0 else -1) * ramp_lit)
    return total(counted)


def _won(
    b: Build, t: Territory, p: int, hc: Expr, hc_max: int, share: Expr, share_max: int
) -> tuple[Expr, int]:
    """`won = min(hc * uplift(level[p]) // 100, share)`, and each level's part of it.

    With several uplifts, hc is split by level (`hc_l <= hc_max * level_l`), each part uplifted
    exactly, and won split likewise (`won_l <= hcu_l`); only the chosen level's parts can be
    positive, so the split is exact, and the bonus cost `per_client_l * won_l` is linear. The
    LP then pays the bonus on exactly the clients the uplift brings.
    """
    menu = b.scenario.bonus_menu
    uplifts = {level.uplift_pct for level in menu}
    prices = {level.per_client for level in menu}
    if len(uplifts) == 1 and len(prices) == 1:
        uplift = next(iter(uplifts))
        hcu, hcu_max = (
            (hc, hc_max)
            if uplift == 100
            else (
                _floor_pct(b, hc, uplift, hc_max, f"hcu[{t.id},{p}]"),
                hc_max * uplift // 100,
            )
        )
        won = _min(b, hcu, hcu_max, share, share_max, f"won[{t.id},{p}]")
        b.won_by_level.setdefault(p, {}).setdefault(menu[0].name, []).append(won)
        return won, min(hcu_max, share_max)
    if isinstance(hc, int) and hc == 0:
        return 0, 0
    parts: dict[str, tuple[Expr, int]] = {}
    hc_parts = []
    for level in menu:
        chosen = b.vars.level[p][level.name]
        if isinstance(chosen, int) and chosen == 0:
            continue
        hc_l = b.int_var(0, hc_max, f"hc[{t.id},{p},{level.name}]")
        b.model.add(hc_l <= hc_max * chosen)
        hc_parts.append(hc_l)
        q_max = hc_max * level.uplift_pct // 100
        parts[level.name] = (
            _floor_pct(b, hc_l, level.uplift_pct, hc_max, f"hcu[{t.id},{p},{level.name}]"),
            q_max,
        )
    b.model.add(sum(hc_parts) == hc)
    hcu_max = max(q for _, q in parts.values())
    hcu = sum(q for q, _ in parts.values())
    won = _min(b, hcu, hcu_max, share, share_max, f"won[{t.id},{p}]")
    won_max = min(hcu_max, share_max)
    won_parts = []
    for name, (q, q_max) in parts.items():
        won_l = b.int_var(0, min(q_max, share_max), f"won[{t.id},{p},{name}]")
        b.model.add(won_l <= q)
        won_parts.append(won_l)
        b.won_by_level.setdefault(p, {}).setdefault(name, []).append(won_l)
    b.model.add(sum(won_parts) == won)
    return won, won_max


def _cap_by_person(
    b: Build,
    people: list[tuple[Person, Lit]],
    p: int,
    role: str,
    t: Territory,
    flow: Expr,
    cap: int,
) -> None:
    """A valid cut: `won <= sum_x min(term_x, share_max) x_x` (and served likewise with the
    accounts' bound). It forbids the LP to win a town's whole share with a fraction of a hunter
    split over many towns."""
    if isinstance(flow, int) or not people:
        return
    top = max(level.uplift_pct for level in b.scenario.bonus_menu) if role == "hunter" else 100
    capped: list[Expr] = []
    tighter = False
    for person, lit in people:
        term = -(-_max_term(b, person, p, role, t) * top // 100)  # ceil: sums of floors
        if term > cap:
            tighter = True
        capped.append(min(term, cap) * lit)
    if tighter:
        b.model.add(flow <= total(capped))


def _max_term(b: Build, person: Person, p: int, role: str, t: Territory) -> int:
    """The largest term the person can have at p (a hire's ramp may exceed 100 %)."""
    full = _term(b, person, p, role, t, month=None)
    if not person.is_position or b.scenario.hiring is None:
        return full
    ramped = [_term(b, person, p, role, t, month=m) for m in range(len(b.scenario.hiring.ramp_pct))]
    return max([full, *ramped])


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
