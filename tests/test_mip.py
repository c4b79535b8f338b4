"""The MIP peer (a second encoding, written apart from the CP-SAT model) proves the same optima
as the exhaustive search and CP-SAT on tiny scenarios, with HiGHS and with SCIP, and every plan
it returns is one the simulator accepts at the score the MIP claims."""

from __future__ import annotations

import pytest
from builders import scenario, tiny_data
from exhaustive import exhaustive_optimum, search_size
from hypothesis import HealthCheck, assume, event, given, settings
from test_exhaustive import LEVERS, ONE_WORKER, economy, tiny_scenarios

from optimizer.mip import solve_mip
from optimizer.scenario import Scenario, load_scenario
from optimizer.solve import solve

SOLVERS = ("highs", "scip")


def check_mip(s: Scenario, expected: int | None, solver: str) -> str:
    result = solve_mip(s, solver, time_limit=60)
    if expected is None:
        assert result.status == "INFEASIBLE", result
        return "infeasible"
    assert result.status == "OPTIMAL", result
    assert result.evaluation is not None and result.evaluation.feasible, [
        str(v) for v in result.evaluation.violations
    ]
    assert result.score == expected
    assert result.objective == pytest.approx(expected, abs=1e-6)
    assert result.bound is not None and result.bound >= expected - 1e-6
    return "optimal"


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("lever", list(LEVERS), ids=list(LEVERS))
def test_hand_made_mip_optimum_is_exhaustive_and_cp_sat_optimum(lever, solver):
    d = economy(tiny_data())
    LEVERS[lever](d)
    s = scenario(d)
    expected = exhaustive_optimum(s)
    check_mip(s, expected, solver)
    cp_sat = solve(s, ONE_WORKER)
    assert cp_sat.status == "OPTIMAL" and cp_sat.score == expected  # both encodings agree


@pytest.mark.parametrize("solver", SOLVERS)
def test_infeasible_tiny_scenario_is_infeasible_for_the_mip(solver):
    d = economy(tiny_data())
    d["territories"][0]["min_farmers"] = 1
    d["territories"][1]["min_farmers"] = 1
    check_mip(scenario(d), None, solver)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(tiny_scenarios())
def test_random_tiny_mip_optimum_is_exhaustive_optimum(s):
    """Random tiny scenarios: both MIP solvers prove the exhaustive optimum (or infeasibility)."""
    assume(search_size(s) <= 40_000)
    expected = exhaustive_optimum(s)
    for solver in SOLVERS:
        event(check_mip(s, expected, solver))


@pytest.mark.parametrize("solver", SOLVERS)
def test_mip_plan_on_a_dataset_is_checked(solver):
    """Out of the tiny world: whatever the MIP returns within its time is a plan the simulator
    accepts (its score equal to the MIP's objective) and its bound is above that score."""
    s = load_scenario("datasets/long_cycle_equipment.json")
    # a node limit, not the clock, ends the search: the same answer on a busy machine (SCIP's
    # first plan here comes after ~300 nodes; the time limit only guards against a hang)
    result = solve_mip(s, solver, time_limit=900, node_limit=400 if solver == "scip" else 50)
    assert result.plan is not None, result.status
    assert result.evaluation is not None and result.evaluation.feasible
    assert result.objective == pytest.approx(result.score, abs=1e-3)
    assert result.bound is not None and result.bound >= result.score - 1e-6
    assert result.incumbents and result.incumbents[-1][1] == pytest.approx(result.objective)
