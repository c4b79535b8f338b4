"""Section 5: each working person's expected output, summed per target period, times realism."""

from __future__ import annotations

from optimizer.plan import Target
from optimizer.simulate.dynamics import Dynamics
from optimizer.simulate.schedule import Schedule


def person_targets(sched: Schedule, dyn: Dynamics) -> list[Target]:
    """Targets for every person who hunted or farmed in a segment, in person then time order.

    A hunter expects `won[t,p] * own_hc_term // hc[t,p]`, a farmer
    `revenue[t,p] * own_fc_term // fc[t,p]` (0 where the denominator is 0).
    """
    s = sched.scenario
    realism = s.policy.active_targets.realism_pct
    targets: list[Target] = []
    for person in sched.active:
        cells = sched.cells[person.id]
        for first, last in s.target_segments:
            worked = False
            clients = revenue = 0
            for p in range(first, last + 1):
                cell = cells[p]
                if not cell.working:
                    continue
                assert cell.territory is not None
                worked = True
                flows = dyn.territories[cell.territory]
                if cell.role == "hunter":
                    term = dyn.hunter_terms[(person.id, p)]
                    clients += flows.won[p] * term // flows.hc[p] if flows.hc[p] else 0
                else:
                    term = dyn.farmer_terms[(person.id, p)]
                    revenue += flows.revenue[p] * term // flows.fc[p] if flows.fc[p] else 0
            if worked:
                targets.append(
                    Target(
                        person=person.id,
                        from_period=first,
                        to_period=last,
                        new_clients=clients * realism // 100,
                        revenue=revenue * realism // 100,
                    )
                )
    return targets
