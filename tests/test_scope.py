"""Sub-models per neighbourhood (`optimizer.search.scope`): a neighbourhood's sub-scenario,
solved to optimality, gives exactly what the whole model with the same cells fixed gives, and
every plan it returns is checked on the whole scenario."""

from __future__ import annotations

import random

import pytest
from ortools.sat.python import cp_model

from optimizer.deadline import Deadline
from optimizer.generate import generate
from optimizer.greedy import greedy_plan
from optimizer.model import build_model
from optimizer.model.solution import add_hint, extract_plan
from optimizer.scenario import load_scenario
from optimizer.search.lns import LnsOptions, Neighbourhood, SubModels, _Search
from optimizer.search.scope import territory_totals
from optimizer.simulate import simulate


def _whole_optimum(models: SubModels, plan, evaluation, hood: Neighbourhood) -> int:
    """The whole scenario's model with every cell outside `hood` fixed, solved to optimality."""
    _, built = models.build(plan, territory_totals(evaluation), hood, whole=True)
    add_hint(built, plan, Deadline.after(60))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60
    assert solver.solve(built.model) == cp_model.OPTIMAL
    return simulate(models.s, extract_plan(built, solver)).score


def _scenario(seed: int, coupling: str):
    """`tight`: one hire in all, one trainee a period; `goals`: goals the greedy plan just
    meets, so the outside's share of them decides what a new client is worth."""
    s = generate(12, 24, 3, seed)
    if coupling == "loose":
        return s
    data = s.model_dump(mode="json", exclude_none=True)
    if coupling == "tight":
        data["hiring"].update(max_hires=1, max_hires_per_period=1, earliest_period=0)
        data["training"]["trainer_capacity"] = 1
    else:
        kpis = simulate(s, greedy_plan(s)).kpis
        data["policy"]["targets"]["goal_new_clients"] = kpis.new_clients
        data["policy"]["targets"]["goal_revenue"] = kpis.revenue_total
    return load_scenario(data)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("coupling", ["loose", "tight", "goals"])
def test_a_scoped_neighbourhood_finds_what_the_whole_model_finds(seed, coupling):
    s = _scenario(seed, coupling)
    plan = greedy_plan(s)
    evaluation = simulate(s, plan)
    assert evaluation.feasible
    search = _Search(s, LnsOptions(seed=seed), 0.0)
    rng = random.Random(seed)
    partial = 0
    for kind in ("region", "pool", "random", "region"):
        search.stats.size[kind] = rng.choice([1, 2])
        hood = search.neighbourhood(kind, plan)
        scope, _ = search.models.build(plan, territory_totals(evaluation), hood)
        partial += not scope.whole
        step = search.models.solve(plan, evaluation, hood, Deadline.after(60), 1, seed)
        assert step.code == cp_model.OPTIMAL
        best = _whole_optimum(search.models, plan, evaluation, hood)
        found = evaluation.score if step.evaluation is None else step.evaluation.score
        assert found == best, (kind, sorted(hood.persons))
        if step.plan is not None:
            checked = simulate(s, step.plan)
            assert checked.feasible and checked.score == found
    assert partial > 0, "no neighbourhood left anything out: the test proves nothing"


def test_a_scope_leaves_out_what_no_freed_person_reaches():
    s = generate(60, 40, 6, 2)
    plan = greedy_plan(s)
    evaluation = simulate(s, plan)
    search = _Search(s, LnsOptions(), 0.0)
    search.stats.size["region"] = 4
    hood = search.neighbourhood("region", plan)
    scope, built = search.models.build(plan, territory_totals(evaluation), hood)
    assert not scope.whole
    assert len(scope.inside) < len(s.territories)
    assert len(scope.scenario.reps) < len(s.reps)
    assert built.size()["variables"] < build_model(s).size()["variables"] / 2
