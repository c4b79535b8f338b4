"""The people costs of section 4: salaries, hiring, travel, bench, handover, role switches."""

from __future__ import annotations

from optimizer.model.core import Build, Term
from optimizer.model.variables import Expr, Lit, negate, total
from optimizer.plan import BENCH, Cell
from optimizer.scenario import Person


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    salaries: list[Expr] = [
        rep.salary * sum(s.employed(rep, p) for p in range(s.periods)) for rep in s.reps
    ]
    hires: list[Expr] = []
    if s.hiring is not None:
        for starts in v.start.values():
            for start, hired in starts.items():
                salaries.append(s.hiring.salary * (s.periods - start) * hired)
                hires.append(hired)
    travel: list[Expr] = []
    bench: list[Expr] = []
    for person in s.persons:
        for p in range(s.periods):
            for cell, lit in v.options(person.id, p).items():
                if cell.working and cell.territory != person.home and not person.is_position:
                    travel.append(person.travel_cost * lit)
                elif cell == BENCH:
                    bench.append(lit)
    terms = [
        Term("salaries", total(salaries), -1),
        Term("hiring_cost", (s.hiring.hire_cost if s.hiring else 0) * total(hires), -1),
        Term("travel", total(travel), -1),
        Term("bench", s.defaults.bench_cost * total(bench), -1),
        Term("handover", _handover(b), -1),
    ]
    if s.defaults.role_switch_cost:
        terms.append(Term("switches", s.defaults.role_switch_cost * _switches(b), -1))
    else:
        terms.append(Term("switches", 0, -1))
    return terms


def _sequence(b: Build, person: Person) -> list[int]:
    """The periods in which the person can be at work: available (reps), or any (positions)."""
    s = b.scenario
    if person.is_position:
        return [p for p in range(s.periods) if b.vars.options(person.id, p)]
    rep = s.rep_by_id[person.id]
    return [p for p in range(s.periods) if s.rep_available(rep, p)]


def _handover(b: Build) -> Expr:
    """handover_cost of t for each farmed-t period not followed by farming t next."""
    s, v = b.scenario, b.vars
    costs: list[Expr] = []
    for person in s.persons:
        periods = _sequence(b, person)
        if not periods:
            continue
        farmed = {
            str(c.territory) for p in periods for c in v.options(person.id, p) if c.role == "farmer"
        }
        current = person.current
        for t in sorted(
            farmed | ({current.territory} if current and current.role == "farmer" else set())
        ):
            cost = s.territory_by_id[t].handover_cost
            if cost == 0:
                continue
            cell = Cell("farmer", t)
            f: list[Lit] = [v.lit(person.id, p, cell) for p in periods]
            if current is not None and Cell(current.role, current.territory) == cell:
                f.insert(0, 1)
            for i in range(len(f) - 1):
                left = v.and_([f[i], negate(f[i + 1])], f"handover[{person.id},{i},{t}]")
                costs.append(cost * left)
    return total(costs)


def _switches(b: Build) -> Expr:
    """Count hunter<->farmer changes between consecutive working periods (current first)."""
    s, v = b.scenario, b.vars
    count: list[Expr] = []
    for person in s.persons:
        last_hunter: Lit = 0  # most recent working role is hunter
        seen: Lit = 0  # a working role exists so far
        if person.current is not None:
            last_hunter, seen = int(person.current.role == "hunter"), 1
        for p in range(s.periods):
            options = v.options(person.id, p)
            wh = _one_of(
                b, [x for c, x in options.items() if c.role == "hunter"], f"hunts[{person.id},{p}]"
            )
            wf = _one_of(
                b, [x for c, x in options.items() if c.role == "farmer"], f"farms[{person.id},{p}]"
            )
            if isinstance(wh, int) and isinstance(wf, int) and wh == wf == 0:
                continue
            to_hunter = v.and_([wh, seen, negate(last_hunter)], f"to_hunter[{person.id},{p}]")
            to_farmer = v.and_([wf, last_hunter], f"to_farmer[{person.id},{p}]")
            count += [to_hunter, to_farmer]
            last_hunter = _next_last(b, last_hunter, wh, wf, f"last_hunter[{person.id},{p}]")
            seen = _or(b, [seen, wh, wf], f"worked[{person.id},{p}]")
    return total(count)


def _one_of(b: Build, lits: list[Lit], name: str) -> Lit:
    """A literal equal to the sum of mutually exclusive literals."""
    rest = [x for x in lits if not isinstance(x, int)]
    fixed = sum(x for x in lits if isinstance(x, int))
    if fixed:
        return 1
    if not rest:
        return 0
    if len(rest) == 1:
        return rest[0]
    y = b.model.new_bool_var(name)
    b.model.add(y == sum(rest))
    return y


def _or(b: Build, lits: list[Lit], name: str) -> Lit:
    rest = [x for x in lits if not isinstance(x, int)]
    if any(isinstance(x, int) and x for x in lits):
        return 1
    if not rest:
        return 0
    if len(rest) == 1:
        return rest[0]
    y = b.model.new_bool_var(name)
    b.model.add_max_equality(y, rest)
    return y


def _next_last(b: Build, last: Lit, wh: Lit, wf: Lit, name: str) -> Lit:
    """Most recent working role after this period: hunter if hunting now, farmer if farming,
    else unchanged (0 while nothing has been worked)."""
    if isinstance(wh, int) and wh:
        return 1
    if isinstance(wf, int) and wf:
        return 0
    y = b.model.new_bool_var(name)
    m = b.model
    m.add(y >= wh)
    m.add(y <= 1 - wf)
    m.add(y - last <= wh + wf)
    m.add(last - y <= wh + wf)
    return y
