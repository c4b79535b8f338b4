"""Re-planning (section 6): frozen periods equal the baseline (states and bonus levels) unless
the facts changed; later person-periods that differ from the baseline cost `change_cost`."""

from __future__ import annotations

from optimizer.domains import frozen_cells
from optimizer.model.core import Build, Term
from optimizer.model.variables import Expr, total
from optimizer.plan import OFF, Cell


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    base = s.baseline
    if base is None:
        return []
    for (person_id, p), cell in frozen_cells(s).items():
        person = s.person_by_id.get(person_id)
        if person is None:
            continue
        g = b.guards(
            ("baseline.frozen", person_id, None),
            f"{person_id} keeps the communicated plan in the first {base.freeze_periods} "
            "period(s) (baseline freeze)",
        )
        if cell == OFF:
            b.model.add(v.filled(person, p) == 0).only_enforce_if(g)
        else:
            b.model.add(v.lit(person_id, p, cell) == 1).only_enforce_if(g)
    for p, name in enumerate(base.bonus_levels[: base.freeze_periods]):
        lit = v.level[p].get(name, 0)
        g = b.guards(
            ("baseline.bonus", "bonus", p), f"bonus level '{name}' stays in period {p} (frozen)"
        )
        b.model.add(lit == 1).only_enforce_if(g)
    return [Term("change_cost", base.change_cost * _changes(b), -1)]


def _changes(b: Build) -> Expr:
    """Person-periods from freeze_periods on whose state differs from the baseline."""
    s, v = b.scenario, b.vars
    assert s.baseline is not None
    owner = {r.from_position: r.id for r in s.reps if r.from_position}
    changed: list[Expr] = []
    for a in s.baseline.assignments:
        if a.period < s.baseline.freeze_periods:
            continue
        person = s.person_by_id.get(owner.get(a.person, a.person))
        if person is None:
            continue
        was = Cell(a.role, a.territory)
        if not person.is_position:
            rep = s.rep_by_id[person.id]
            available = s.rep_available(rep, a.period)
            if available == (was == OFF):
                continue  # the facts changed: free
            if not available:
                continue  # off now and off in the baseline: unchanged
            changed.append(1 - v.lit(person.id, a.period, was))
        elif was == OFF:
            changed.append(v.filled(person, a.period))
        else:
            changed.append(1 - v.lit(person.id, a.period, was))
    return total(changed)
