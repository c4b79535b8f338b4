"""The part of a scenario one neighbourhood can change: a smaller scenario of its own.

A neighbourhood frees some people (in some periods); everyone else keeps the incumbent's cells.
Only the territories the freed people may work in (the *scope*) can change; every other
territory, and every fixed person's own costs, stay what they are. So the sub-scenario holds:

- the scope's territories, and as inert stand-ins (no accounts, no prospects, no room, no
  handover cost) the homes and `current` territories of included people that lie outside it;
- the freed people, and the fixed people who work in the scope in some period (*proxies*: their
  cells are pinned to the incumbent's, a cell outside the scope becomes the bench);
- the coupling rules reduced by what lies outside: each goal less what the outside territories
  win or earn (never below 0: `max(0, g - out - in) = max(0, max(0, g - out) - in)` as
  `in >= 0`), `max_hires` less the hires outside, and, added to the model by `restrict`, each
  period's hire starts and trainees less those of people left out.

The sub-scenario's score differs from the whole plan's by a constant (the outside territories,
the fixed people's own salaries, travel, handovers and switches), so maximizing one maximizes
the other; the search checks every candidate against the simulator on the whole scenario.

Bonus levels are global (a level lifts every territory) and a baseline charges changes per
person: a neighbourhood that frees a level, and every neighbourhood of a re-planning scenario,
is scoped to the whole scenario.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from optimizer.domains import Domains
from optimizer.model import Built
from optimizer.model.variables import total
from optimizer.plan import BENCH, OFF, TRAINEE, Cell, Plan
from optimizer.scenario import Scenario, position_id
from optimizer.simulate import Evaluation

Frees = Callable[[str, int], bool]  # whether a neighbourhood frees a person's cell in a period


@dataclass
class Scope:
    """A neighbourhood's sub-scenario and what it needs besides."""

    scenario: Scenario
    freed: frozenset[str]
    whole: bool
    inside: frozenset[str] = frozenset()  # the territories that can change
    # period -> hire starts / trainees of people left out of the sub-scenario
    starts_out: dict[int, int] = field(default_factory=dict)
    trainees_out: dict[int, int] = field(default_factory=dict)

    def restrict(self, built: Built) -> None:
        """Add the per-period capacities the people left out already use."""
        s, v, model = self.scenario, built.build.vars, built.model
        if s.hiring is not None and self.starts_out:
            for p, used in self.starts_out.items():
                starting = [starts[p] for starts in v.start.values() if p in starts]
                if starting:
                    model.add(total(starting) <= max(0, s.hiring.per_period_cap - used))
        if s.training is not None and self.trainees_out:
            for p, used in self.trainees_out.items():
                lits = [
                    cells[TRAINEE]
                    for (_person, q), cells in v.cells.items()
                    if q == p and TRAINEE in cells
                ]
                if lits:
                    model.add(total(lits) <= max(0, s.training.trainer_capacity - used))

    def merge(self, incumbent: Plan, sub_plan: Plan) -> Plan:
        """The incumbent with the freed people's rows (and the levels) from `sub_plan`."""
        if self.whole:
            return sub_plan
        rows = [a for a in incumbent.assignments if a.person not in self.freed]
        rows.extend(a for a in sub_plan.assignments if a.person in self.freed)
        return Plan(
            scenario=incumbent.scenario,
            assignments=tuple(rows),
            bonus_levels=sub_plan.bonus_levels,
        )

    def project(self, incumbent: Plan) -> Plan:
        """The incumbent as a plan of the sub-scenario (proxies benched outside the scope)."""
        if self.whole:
            return incumbent
        s = self.scenario
        people = set(s.person_by_id)
        rows = []
        for a in incumbent.assignments:
            if a.person not in people:
                continue
            if a.territory is not None and a.territory not in self.inside:
                a = a.model_copy(update={"role": "bench", "territory": None})
            rows.append(a)
        return Plan(scenario=s.name, assignments=tuple(rows), bonus_levels=incumbent.bonus_levels)


def scope_of(
    s: Scenario,
    domains: Domains,
    plan: Plan,
    totals: dict[str, tuple[int, int]],
    frees: Frees,
    frees_any_level: bool,
) -> Scope:
    """The sub-scenario of a neighbourhood (`frees(person, period)` says which cells are free)."""
    if frees_any_level or s.baseline is not None:
        return Scope(scenario=s, freed=frozenset(s.person_by_id), whole=True)
    # plain loops over the cells and rows (no objects made): a search scopes every step, and
    # "why" every alternative
    inside: set[str] = set()
    freed_set: set[str] = set()
    for (person, p), allowed in domains.cells.items():
        if frees(person, p):
            freed_set.add(person)
            inside.update(c.territory for c in allowed if c.territory is not None)
    freed = frozenset(freed_set)
    rows = plan.assignments
    for a in rows:  # a freed person's own timeline stays whole (switches, handovers)
        if a.territory is not None and a.person in freed:
            inside.add(a.territory)
    if len(inside) == len(s.territories):
        return Scope(scenario=s, freed=frozenset(s.person_by_id), whole=True)
    included: set[str] = set(freed)
    included.update(a.person for a in rows if a.territory in inside)
    if s.hiring is not None and s.policy.hiring_on:
        # the positions of the territories inside are people of the sub-scenario whatever
        # they do (one filled that only trains in the horizon too), and so are the reps who
        # answer for one (left out, it would open again)
        ranks = range(1, s.hiring.positions_per_territory + 1)
        opened = {position_id(t, k) for t in inside for k in ranks}
        included.update(pid for pid in s.position_by_id if pid in opened)
        included.update(r.id for r in s.reps if r.from_position in opened)
    starts_out: dict[int, int] = defaultdict(int)
    trainees_out: dict[int, int] = defaultdict(int)
    first: dict[str, int] = {}  # each position left out: the first period it works
    for a in rows:
        if a.person in included:
            continue
        if a.role == TRAINEE.role:
            trainees_out[a.period] += 1
        if a.role != OFF.role and a.person in s.position_by_id:
            first[a.person] = min(a.period, first.get(a.person, a.period))
    hires_out = len(first)
    for p in first.values():
        starts_out[p] += 1
    needed = set(inside)
    for person in included:
        rep = s.rep_by_id.get(person)
        if rep is not None:
            needed.add(rep.home)
            if rep.current is not None:
                needed.add(rep.current.territory)
    territories = []
    for t in s.territories:
        if t.id in inside:
            territories.append(t)
        elif t.id in needed:  # a stand-in: nothing to win or lose, nobody may work there
            territories.append(
                t.model_copy(
                    update={
                        "accounts": 0,
                        "prospects": 0,
                        "prospect_inflow": 0,
                        "min_farmers": 0,
                        "max_reps": 0,
                        "handover_cost": 0,
                    }
                )
            )
    won_out = sum(won for t, (won, _) in totals.items() if t not in inside)
    revenue_out = sum(revenue for t, (_, revenue) in totals.items() if t not in inside)
    policy = s.policy
    if policy.targets is not None:
        g = policy.targets
        policy = policy.model_copy(
            update={
                "targets": g.model_copy(
                    update={
                        "goal_new_clients": None
                        if g.goal_new_clients is None
                        else max(0, g.goal_new_clients - won_out),
                        "goal_revenue": None
                        if g.goal_revenue is None
                        else max(0, g.goal_revenue - revenue_out),
                    }
                )
            }
        )
    hiring = s.hiring
    if hiring is not None:
        where = hiring.where(tuple(t.id for t in s.territories))
        here = tuple(t for t in where if t in inside)
        hiring = (
            hiring.model_copy(
                update={
                    "max_hires": max(0, hiring.max_hires - hires_out),
                    "max_hires_per_period": hiring.per_period_cap,
                    "territories": here,
                }
            )
            if here
            else None
        )
    reps = tuple(r for r in s.reps if r.id in included)
    locks = tuple(lock for lock in s.locks if lock.rep in freed)
    sub = Scenario.model_construct(
        name=s.name,
        currency=s.currency,
        horizon=s.horizon,
        defaults=s.defaults,
        territories=tuple(territories),
        reps=reps,
        hiring=hiring,
        training=s.training,
        policy=policy,
        locks=locks,
        baseline=None,
    )
    return Scope(
        scenario=sub,
        freed=freed,
        whole=False,
        inside=frozenset(inside),
        starts_out=dict(starts_out),
        trainees_out=dict(trainees_out),
    )


def territory_totals(evaluation: Evaluation) -> dict[str, tuple[int, int]]:
    """Each territory's clients won and revenue over the horizon (what a scope needs of the
    whole plan's evaluation)."""
    totals: dict[str, tuple[int, int]] = {}
    for tp in evaluation.territory_periods:
        won, revenue = totals.get(tp.territory, (0, 0))
        totals[tp.territory] = (won + tp.won, revenue + tp.revenue)
    return totals


def pinned(scope: Scope, domains: Domains, plan: Plan, frees: Frees) -> Domains:
    """The sub-scenario's domains: free cells keep their options, every other cell is the
    incumbent's (the bench outside the scope; an unfilled position's period has no cell)."""
    s = scope.scenario
    chosen = {(a.person, a.period): Cell(a.role, a.territory) for a in plan.assignments}
    cells: dict[tuple[str, int], tuple[Cell, ...]] = {}
    for person in s.persons:
        for p in range(s.periods):
            options = domains.cells[(person.id, p)]
            if frees(person.id, p) or not options or options[0] == OFF:
                cells[(person.id, p)] = options
                continue
            cell = chosen.get((person.id, p), OFF)
            if (
                not scope.whole
                and cell.territory is not None
                and cell.territory not in scope.inside
            ):
                cell = BENCH
            cells[(person.id, p)] = () if cell == OFF else (cell,)
    return Domains(cells=cells, explain=False, reach_relaxed=False)
