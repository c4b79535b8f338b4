"""Training (section 3): trainees only while untrained, at most `trainer_capacity` a period,
and long-cycle work only after `training.periods` (counting `training_done`)."""

from __future__ import annotations

from optimizer.model.core import Build, Term
from optimizer.model.variables import Lit, total
from optimizer.plan import TRAINEE


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    capacity = s.training.trainer_capacity if s.training else 0
    per_period: dict[int, list[Lit]] = {}
    for person in s.persons:
        trainee = [v.lit(person.id, p, TRAINEE) for p in range(s.periods)]
        for p, lit in enumerate(trainee):
            if not isinstance(lit, int) or lit:
                per_period.setdefault(p, []).append(lit)
        need = person.training_needed
        if need == 0:
            continue
        if sum(1 for x in trainee if not isinstance(x, int) or x) > need:
            b.model.add(sum(trainee) <= need)
        own = person.current.territory if person.veteran and person.current else None
        g = b.guards(
            ("training.gate", person.id, None),
            f"{person.id} sells long-cycle products only after {s.training_periods} training "
            f"periods ({need} still to do)",
        )
        for p in range(s.periods):
            long_cycle = [
                lit
                for cell, lit in v.options(person.id, p).items()
                if cell.working
                and cell.territory != own
                and s.territory_by_id[str(cell.territory)].long_cycle
            ]
            if long_cycle:
                b.model.add(need * sum(long_cycle) <= sum(trainee[:p])).only_enforce_if(g)
    for p, lits in per_period.items():
        if len(lits) > capacity:
            g = b.guards(
                ("training.capacity", "training", p),
                f"at most {capacity} trainee(s) in period {p} (trainer_capacity)",
            )
            b.model.add(total(lits) <= capacity).only_enforce_if(g)
    return []
