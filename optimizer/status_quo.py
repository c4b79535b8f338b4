"""The plan a planner gets by doing nothing: the baseline of every comparison.

Everyone keeps his current territory and role in every available period; a rep with no stint
in progress farms his home territory (hunts it if he may not farm). A rep who is not trained
for a long-cycle territory he would work first trains, as trainer capacity allows (in roster
order), and waits on the bench otherwise. No hires; every period runs the 0-bonus level.
The status quo is evaluated like any plan: where doing nothing breaks a rule, the simulator
says so.
"""

from __future__ import annotations

from optimizer.plan import Assignment, Plan, State
from optimizer.scenario import BonusLevel, Rep, Role, Scenario


def status_quo_plan(s: Scenario) -> Plan:
    """Build the do-nothing plan (assignments and bonus levels only; simulate it to score)."""
    capacity = s.training.trainer_capacity if s.training else 0
    to_train = {rep.id: _training_before_work(s, rep) for rep in s.reps}
    rows: list[Assignment] = []
    for p in range(s.periods):
        seats = capacity
        for rep in s.reps:
            if not s.rep_available(rep, p):
                rows.append(Assignment(person=rep.id, period=p, role="off"))
            elif to_train[rep.id] > 0:
                idle: State = "trainee" if seats > 0 else "bench"
                if idle == "trainee":
                    seats -= 1
                    to_train[rep.id] -= 1
                rows.append(Assignment(person=rep.id, period=p, role=idle))
            else:
                role, territory = kept_post(rep)
                rows.append(Assignment(person=rep.id, period=p, role=role, territory=territory))
    level = zero_bonus_level(s)
    return Plan(
        scenario=s.name,
        assignments=tuple(rows),
        bonus_levels=tuple(level.name for _ in range(s.periods)),
    )


def kept_post(rep: Rep) -> tuple[Role, str]:
    """The role and territory a rep keeps when nothing changes."""
    if rep.current is not None:
        return rep.current.role, rep.current.territory
    return ("farmer" if "farmer" in rep.roles else "hunter"), rep.home


def _training_before_work(s: Scenario, rep: Rep) -> int:
    person = s.person_by_id[rep.id]
    _, territory = kept_post(rep)
    long_cycle = s.territory_by_id[territory].long_cycle
    if not long_cycle or person.veteran:
        return 0
    return person.training_needed


def zero_bonus_level(s: Scenario) -> BonusLevel:
    """The menu's 0-bonus level (the strongest uplift among them); failing one, the cheapest."""
    return min(s.bonus_menu, key=lambda level: (level.per_client, -level.uplift_pct))
