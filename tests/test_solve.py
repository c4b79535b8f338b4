"""`solve()` end to end: checked plans, honest statuses, warm starts, progress and stopping,
and each lever moving the optimum the way the business expects."""

from __future__ import annotations

import itertools
import threading

import pytest
from builders import rep_data, scenario, tiny_data

from optimizer.datasets import dataset_names, load_dataset
from optimizer.generate import generate
from optimizer.plan import Cell
from optimizer.simulate import simulate
from optimizer.solve import PROOF_SHARE, Progress, SolveOptions, solve

QUICK = SolveOptions(time_limit=8, workers=1, seed=0)


@pytest.mark.parametrize("name", dataset_names())
def test_dataset_solves_to_a_checked_plan(name):
    """Every dataset: a plan with no violations whose score is the model's objective."""
    s = load_dataset(name)
    result = solve(s, QUICK)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.plan is not None
    ev = simulate(s, result.plan)
    assert ev.violations == ()
    assert ev.score == result.score == result.plan.score
    assert result.best_bound is not None and result.best_bound >= result.score
    assert result.plan.kpis is not None and result.plan.targets
    assert result.plan.solver is not None and result.plan.solver.workers == 1


@pytest.mark.parametrize("seed", [3, 11])
def test_generated_small_scenario_solves_checked(seed):
    """A generated scenario (10 reps, 6 towns, 6 months): checked, at least as good as greedy."""
    s = generate(10, 6, 6, seed)
    result = solve(s, QUICK)
    assert result.plan is not None
    assert simulate(s, result.plan).feasible
    if result.warm_start_score is not None:
        assert result.score >= result.warm_start_score


def test_same_seed_one_worker_same_plan():
    """One worker, seed 0 and a deterministic limit: the same plan twice."""
    s = load_dataset("crimea")
    options = SolveOptions(time_limit=120, deterministic_time=0.5, workers=1, seed=0)
    first, second = solve(s, options), solve(s, options)
    assert first.plan is not None and second.plan is not None
    assert first.plan.assignments == second.plan.assignments
    assert first.plan.bonus_levels == second.plan.bonus_levels


def test_no_time_returns_the_checked_warm_start():
    """With no time to search, the checked warm start is the answer, reported FEASIBLE."""
    s = load_dataset("crimea")
    result = solve(s, SolveOptions(time_limit=0.01, workers=1))
    assert result.status == "FEASIBLE"
    assert result.plan is not None
    assert result.score == result.warm_start_score
    assert simulate(s, result.plan).feasible


def test_without_warm_start_and_time_there_is_no_plan():
    """No hint and no time left after building the model: UNKNOWN, no plan — a well-defined
    result, not an error."""
    s = load_dataset("crimea")
    result = solve(s, SolveOptions(time_limit=0.01, workers=1, greedy_hint=False))
    assert result.status == "UNKNOWN"
    assert result.plan is None
    assert result.summary().startswith("UNKNOWN after")


def test_progress_reports_improving_incumbents():
    """The progress callback sees scores that never get worse, with bound and gap, and times
    from the solve's start through both phases of `auto` (proof, then neighbourhoods)."""
    seen: list[Progress] = []
    result = solve(
        load_dataset("hunter_farmer_split"),
        SolveOptions(time_limit=4, workers=1, progress=seen.append),
    )
    assert seen
    scores = [p.score for p in seen if p.score is not None]
    assert scores == sorted(scores)
    times = [p.elapsed for p in seen]
    assert times == sorted(times)
    if result.search is not None:  # the neighbourhood phase ran after the proof's quarter
        assert times[-1] > 4 * PROOF_SHARE
    assert all(p.bound is None or p.score is None or p.bound >= p.score for p in seen)


def test_stop_event_ends_the_search_with_the_incumbent():
    """The stop set while the search runs ends an hour-long solve with the best plan so far,
    whatever the machine's speed (how fast it answers is benchmarks/pipeline_study's cancel
    latency)."""
    stop = threading.Event()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if p.stage == "search" and p.score is not None:
            stop.set()

    s = load_dataset("crimea")
    result = solve(s, SolveOptions(time_limit=3600, workers=1, stop=stop, progress=progress))
    assert stop.is_set()
    assert result.seconds < 3600  # the stop, not the time limit, ended it
    assert result.plan is not None
    assert result.status in ("FEASIBLE", "OPTIMAL")
    assert simulate(s, result.plan).score == result.score


def test_stop_before_the_search_returns_the_checked_warm_start():
    """A stop that comes while the warm start is prepared skips the search altogether."""
    stop = threading.Event()
    stop.set()
    result = solve(load_dataset("crimea"), SolveOptions(time_limit=120, workers=1, stop=stop))
    assert result.status == "FEASIBLE"
    assert result.plan is not None
    assert result.score == result.warm_start_score
    assert result.best_bound is None


def test_given_hint_is_used_and_checked():
    """A hint plan given by the caller is the warm start (here the status quo of a dataset)."""
    from optimizer.status_quo import status_quo_plan

    s = load_dataset("long_cycle_equipment")
    hint = status_quo_plan(s)
    result = solve(s, SolveOptions(time_limit=0.01, workers=1, hint=hint))
    assert result.warm_start_score == simulate(s, hint).score
    assert result.plan is not None


# ----- levers move the optimum the way the business expects ------------------------------


def optimum(d) -> int:
    result = solve(scenario(d), SolveOptions(time_limit=30, workers=1))
    assert result.status == "OPTIMAL", result.summary()
    assert result.score is not None
    return result.score


def bonus_case(levels):
    d = tiny_data()
    d["defaults"].update(terminal_value_periods=3, churn_unserved_pct=10)
    d["reps"].append(rep_data("r2", home="B", roles=["farmer"]))
    d["policy"] = {"bonus": {"levels": levels}}
    return d


def test_richer_bonus_menu_never_lowers_the_optimum():
    """Adding a level to the menu can only help: max over a larger set."""
    base = [{"name": "none", "per_client": 0, "uplift_pct": 100}]
    richer = [*base, {"name": "high", "per_client": 50, "uplift_pct": 180}]
    assert optimum(bonus_case(richer)) >= optimum(bonus_case(base))


def test_hiring_never_lowers_and_specialization_never_raises_the_optimum():
    """Hiring adds options; specialization removes them."""
    d = tiny_data()
    d["defaults"].update(terminal_value_periods=2, role_switch_cost=5)
    d["territories"][1]["accounts"] = 30
    d["hiring"] = {
        "max_hires": 1,
        "hire_cost": 50,
        "salary": 10,
        "hunter_capacity": 2,
        "farmer_capacity_pct": 100,
        "territories": ["B"],
    }
    without = optimum(d)
    d["policy"] = {"hiring": {}}
    assert optimum(d) >= without
    d["policy"]["specialization"] = {}
    assert optimum(d) <= optimum({**d, "policy": {"hiring": {}}})


def test_rotation_makes_hunters_move():
    """Kuban: with rotation on, every hunter works several towns and no stint exceeds 3."""
    s = load_dataset("rotation_distributor")
    result = solve(s, QUICK)
    assert result.plan is not None
    for hunter in ("h1", "h2"):
        towns = [
            a.territory
            for a in result.plan.assignments
            if a.person == hunter and a.role == "hunter"
        ]
        assert len(set(towns)) >= 3
        run = longest = 1
        for before, after in itertools.pairwise(towns):
            run = run + 1 if before == after else 1
            longest = max(longest, run)
        assert longest <= 3


def test_veterans_stay_in_place():
    """Crimea: every protected veteran keeps his post in every available period."""
    s = load_dataset("crimea")
    result = solve(s, QUICK)
    assert result.plan is not None
    for rep in s.reps:
        if not s.is_protected_veteran(rep):
            continue
        assert rep.current is not None
        keep = Cell(rep.current.role, rep.current.territory)
        for a in result.plan.assignments:
            if a.person == rep.id and s.rep_available(rep, a.period):
                assert Cell(a.role, a.territory) == keep


def first_long_cycle_work(d) -> int:
    result = solve(scenario(d), SolveOptions(time_limit=30, workers=1))
    assert result.plan is not None
    worked = [
        a.period
        for a in result.plan.assignments
        if a.person.startswith("H-") and a.role in ("hunter", "farmer")
    ]
    return min(worked)


def test_longer_training_delays_hires_long_cycle_work():
    """A hire in a long-cycle town sells only after training: 3 periods later than 1."""
    d = tiny_data()
    d["horizon"]["periods"] = 6
    d["defaults"]["terminal_value_periods"] = 4
    d["territories"][1].update(long_cycle=True, accounts=30, account_value=500)
    d["defaults"]["max_distance_km"] = 50
    d["hiring"] = {
        "max_hires": 1,
        "hire_cost": 0,
        "salary": 0,
        "hunter_capacity": 3,
        "farmer_capacity_pct": 100,
        "territories": ["B"],
    }
    d["policy"] = {"hiring": {}}
    d["training"] = {"periods": 1, "trainer_capacity": 1}
    short = first_long_cycle_work(d)
    d["training"]["periods"] = 3
    assert first_long_cycle_work(d) == short + 2
