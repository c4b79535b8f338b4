"""Spec section 8: the noisy course of a plan, each target's chance, and targets set by
attainment. The noisy course shares section 4's recurrence; with every factor 1 it is the exact
course to the unit, on every dataset and on random scenarios and plans."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from test_properties import scenario_and_plan
from typer.testing import CliRunner

from optimizer.awkward import awkward_data
from optimizer.cli import app
from optimizer.datasets import dataset_names, dataset_path, load_dataset
from optimizer.greedy import greedy_plan
from optimizer.plan import Plan
from optimizer.scenario import InvalidInput, Scenario, Uncertainty, load_scenario
from optimizer.simulate import simulate
from optimizer.simulate.noisy import Course, attainment_targets, run_noisy
from optimizer.status_quo import status_quo_plan

STILL = Uncertainty(hunter_cv_pct=0, farmer_cv_pct=0, revenue_cv_pct=0, churn_cv_pct=0, samples=2)


def _exact_course_is_reproduced(s: Scenario, plan: Plan) -> None:
    ev = simulate(s, plan)
    assert ev.course is not None
    sched, dyn = ev.course
    course = run_noisy(sched, dyn, STILL)
    for i, t in enumerate(s.territories):
        flows = dyn.territories[t.id]
        for sample in range(course.samples):
            assert course.won[sample, i].tolist() == flows.won
            assert course.revenue[sample, i].tolist() == flows.revenue
            assert course.margin[sample, i].tolist() == flows.margin
            assert int(course.accounts[sample, i]) == flows.acc[s.periods]
    assert course.profit.tolist() == [ev.kpis.profit] * course.samples
    assert course.score.tolist() == [ev.kpis.score] * course.samples
    # each row's realized values are section 5's expectations, before the realism cut
    realism = s.policy.active_targets.realism_pct
    targets = {(x.person, x.from_period): x for x in ev.targets}
    assert len(course.rows) == len(targets)
    for j, (person, first, last) in enumerate(course.rows):
        row = targets[(person, first)]
        assert row.to_period == last
        assert int(course.new_clients[0, j]) * realism // 100 == row.new_clients
        assert int(course.row_revenue[0, j]) * realism // 100 == row.revenue


@pytest.mark.parametrize("name", dataset_names())
def test_every_factor_one_is_the_exact_course_on_every_dataset(name: str) -> None:
    s = load_dataset(name)
    _exact_course_is_reproduced(s, greedy_plan(s))
    _exact_course_is_reproduced(s, status_quo_plan(s))


def test_every_factor_one_is_the_exact_course_on_an_awkward_scenario() -> None:
    data, witness = awkward_data(30, 12, 6, seed=3)
    s = load_scenario(data)
    _exact_course_is_reproduced(s, Plan.model_validate(witness))


@settings(max_examples=25, deadline=None)
@given(scenario_and_plan())
def test_every_factor_one_is_the_exact_course_on_random_plans(case) -> None:
    s, plan = case
    _exact_course_is_reproduced(s, plan)


def _with_uncertainty(name: str = "crimea", **targets: object) -> Scenario:
    data = json.loads(load_dataset(name).model_dump_json())
    data["uncertainty"] = {"samples": 2000, "seed": 0}
    data["policy"]["targets"] = {**(data["policy"].get("targets") or {}), **targets}
    return load_scenario(data)


def test_the_noise_has_the_spreads_it_is_given() -> None:
    """A lognormal factor of mean 1 and the block's spread: a lone farmer's revenue scatters by
    the spend factor; the mean course stays near the exact one."""
    s = _with_uncertainty()
    plan = greedy_plan(s)
    ev = simulate(s, plan)
    sched, dyn = ev.course or (None, None)
    assert sched is not None and dyn is not None
    course = run_noisy(sched, dyn, s.uncertainty or Uncertainty(), samples=4000)
    revenue = course.company_revenue
    assert abs(revenue.mean() / ev.kpis.revenue_total - 1) < 0.02
    # the spend factor of one territory-month: its revenue over the exact one
    # (where farmers could serve twice the book, so their own noise leaves the served alone)
    f = dyn.territories
    i = max(
        (i for i, t in enumerate(s.territories) if f[t.id].revenue[0] > 0),
        key=lambda i: f[s.territories[i].id].fc[0] / f[s.territories[i].id].acc[0],
    )
    assert f[s.territories[i].id].fc[0] >= 2 * f[s.territories[i].id].acc[0]
    first = course.revenue[:, i, 0] / f[s.territories[i].id].revenue[0]
    assert abs(first.std() - 0.15) < 0.02
    assert abs(first.mean() - 1) < 0.01


def test_the_same_plan_block_and_seed_give_the_same_figures() -> None:
    s = _with_uncertainty()
    plan = greedy_plan(s)
    one = simulate(s, plan).apply_to(plan)
    two = simulate(s, plan).apply_to(plan)
    assert one.attainment == two.attainment and one.targets == two.targets
    other = s.replace(uncertainty={"samples": 2000, "seed": 1})
    three = simulate(other, plan).apply_to(plan)
    assert three.attainment is not None and one.attainment is not None
    assert three.attainment.profit != one.attainment.profit


def test_chances_are_the_share_of_samples_reaching_each_target() -> None:
    s = _with_uncertainty()
    plan = greedy_plan(s)
    ev = simulate(s, plan)
    out = ev.apply_to(plan)
    a = out.attainment
    assert a is not None and a.samples == 2000 and a.seed == 0
    assert a.profit.p10 <= a.profit.p50 <= a.profit.p90
    assert a.p_goal_new_clients is not None and a.p_goal_revenue is not None
    sched, dyn = ev.course or (None, None)
    assert sched is not None and dyn is not None
    course = run_noisy(sched, dyn, s.uncertainty or Uncertainty())
    rows = {r[:2]: j for j, r in enumerate(course.rows)}
    for t in out.targets:
        j = rows[(t.person, t.from_period)]
        assert t.p_new_clients == pytest.approx((course.new_clients[:, j] >= t.new_clients).mean())
        assert t.p_revenue == pytest.approx((course.row_revenue[:, j] >= t.revenue).mean())
        assert t.p_both is not None and t.p_both <= min(t.p_new_clients, t.p_revenue)
    goal = s.policy.active_targets.goal_new_clients
    assert a.p_goal_new_clients == pytest.approx((course.company_new_clients >= goal).mean())
    # realism's targets are the expectation cut by 10 %: most are reached more often than not
    assert a.share_attained is not None and a.share_attained > 0.5


def test_a_target_set_by_attainment_is_the_spec_order_statistic() -> None:
    values = np.arange(1, 101, dtype=np.int64)[::-1].reshape(100, 1)  # 100 samples, one row
    course = Course(
        samples=100,
        won=np.zeros((100, 1, 1), dtype=np.int64),
        revenue=np.zeros((100, 1, 1), dtype=np.int64),
        margin=np.zeros((100, 1, 1), dtype=np.int64),
        accounts=np.zeros((100, 1), dtype=np.int64),
        profit=np.zeros(100, dtype=np.int64),
        score=np.zeros(100, dtype=np.int64),
        rows=(("r1", 0, 2),),
        new_clients=values,
        row_revenue=values * 1000,
    )
    for pct in (1, 50, 65, 99):
        nc, rev = attainment_targets(course, pct)
        # sorted ascending 1..100: the value at position n - ceil(a n / 100) + 1
        assert int(nc[0]) == 100 - math.ceil(pct * 100 / 100) + 1
        assert int(rev[0]) == int(nc[0]) * 1000
        assert (values[:, 0] >= nc[0]).mean() >= pct / 100  # reached in at least a %
        assert (values[:, 0] >= nc[0] + 1).mean() < pct / 100  # and the largest such


@pytest.mark.parametrize(
    ("name", "whole"),
    [("crimea", True), ("rotation_distributor", True), ("hunter_farmer_split", False)],
)
def test_targets_by_attainment_are_reached_at_that_chance_on_fresh_samples(
    name: str, whole: bool
) -> None:
    """Set at 65 % on one seed's samples, checked on 4,000 samples of another seed. Revenue
    (near-continuous) is reached at 65 % within 3 points; a count of new clients is reached
    at least that often and its next integer less often (within 3 points): an integer target
    overshoots by the chance of landing on it exactly (docs/uncertainty.md). Where farmers
    carry most components (`whole`) the share of all components is within 3 points too."""
    s = _with_uncertainty(name, attainment_pct=65)
    plan = greedy_plan(s)
    out = simulate(s, plan).apply_to(plan)
    assert out.attainment is not None and out.attainment.share_attained is not None
    assert all(t.p_revenue is None or t.p_revenue >= 0.65 for t in out.targets)
    fresh = s.replace(uncertainty={"samples": 4000, "seed": 12345})
    ev = simulate(fresh, plan)
    sched, dyn = ev.course or (None, None)
    assert sched is not None and dyn is not None
    course = run_noisy(sched, dyn, fresh.uncertainty or Uncertainty())
    by_row = {(t.person, t.from_period): t for t in out.targets}
    goal_nc = np.array([by_row[r[:2]].new_clients for r in course.rows])
    goal_rev = np.array([by_row[r[:2]].revenue for r in course.rows])
    revenue = (course.row_revenue >= goal_rev)[:, goal_rev > 0]
    assert revenue.size and abs(revenue.mean() - 0.65) <= 0.03, revenue.mean()
    counted = goal_nc > 0
    at = (course.new_clients >= goal_nc)[:, counted].mean(axis=0)
    above = (course.new_clients >= goal_nc + 1)[:, counted].mean(axis=0)
    assert counted.any() and (at >= 0.62).all() and (above <= 0.68).all()
    reached = np.concatenate([(course.new_clients >= goal_nc)[:, counted], revenue], axis=1)
    if whole:
        assert abs(reached.mean() - 0.65) <= 0.03, reached.mean()
    else:  # measured 72 %: most of its components are hunters' small counts
        assert 0.65 - 0.03 <= reached.mean() <= 0.80


def test_without_the_block_nothing_is_added() -> None:
    s = load_dataset("crimea")
    plan = greedy_plan(s)
    out = simulate(s, plan).apply_to(plan)
    assert out.attainment is None
    assert all(t.p_new_clients is None and t.p_both is None for t in out.targets)


@pytest.mark.parametrize(
    ("block", "field"),
    [
        ({"hunter_cv_pct": -1}, "uncertainty.hunter_cv_pct"),
        ({"samples": 0}, "uncertainty.samples"),
        ({"samples": 100_001}, "uncertainty.samples"),
        ({"churn_cv_pct": 1.5}, "uncertainty.churn_cv_pct"),
    ],
)
def test_a_bad_block_is_refused_naming_the_field(block: dict, field: str) -> None:
    data = json.loads(load_dataset("crimea").model_dump_json())
    data["uncertainty"] = block
    with pytest.raises(InvalidInput) as error:
        load_scenario(data)
    assert any(field in line for line in error.value.problems), error.value.problems


@pytest.mark.parametrize("pct", [0, 100])
def test_attainment_pct_outside_1_to_99_is_refused(pct: int) -> None:
    data = json.loads(load_dataset("crimea").model_dump_json())
    data["policy"]["targets"]["attainment_pct"] = pct
    with pytest.raises(InvalidInput) as error:
        load_scenario(data)
    assert any("attainment_pct" in line for line in error.value.problems)


def test_cli_attainment_prints_chances_of_any_plan(tmp_path: Path) -> None:
    s = load_dataset("crimea")
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(greedy_plan(s).model_dump_json())
    scenario_file = tmp_path / "crimea.json"
    scenario_file.write_text(s.model_dump_json())  # no uncertainty block: the defaults
    runner = CliRunner()
    shown = runner.invoke(
        app, ["attainment", str(scenario_file), str(plan_file), "--samples", "500"]
    )
    assert shown.exit_code == 0, shown.output
    assert "Chances (500 noisy courses of the plan, seed 0)" in shown.output
    assert "goal new clients:" in shown.output and "chance" in shown.output
    as_json = runner.invoke(
        app, ["attainment", str(scenario_file), str(plan_file), "--samples", "300", "--json"]
    )
    plan = json.loads(as_json.output)
    assert plan["attainment"]["samples"] == 300
    assert all(0 <= t["p_both"] <= 1 for t in plan["targets"])
    bad = runner.invoke(app, ["attainment", str(scenario_file), "--samples", "0"])
    assert bad.exit_code == 2


def test_the_workbook_shows_each_targets_chance() -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from optimizer.report.xlsx import xlsx_bytes

    s = _with_uncertainty(attainment_pct=60)
    plan = greedy_plan(s)
    out = simulate(s, plan).apply_to(plan)
    sheet = load_workbook(BytesIO(xlsx_bytes(s, out)))["Targets"]
    header = [c.value for c in sheet[1]]
    assert header[-3:] == ["chance: new clients", "chance: revenue", "chance: both"]
    both = [row[-1] for row in sheet.iter_rows(min_row=2)]
    assert all(c.number_format == "0%" for c in both)
    assert sorted(c.value for c in both) == sorted(t.p_both or 0.0 for t in out.targets)


def test_compare_says_when_a_mix_wins_only_on_the_expected_course() -> None:
    """uncertain_bonus: the bonus is proven best on the expected course, but in the sampled
    courses it rarely beats the status quo and earns less on average: the recommendation
    says so and names the mix to use under uncertainty."""
    from optimizer.compare import CompareOptions, compare

    s = load_dataset("uncertain_bonus")
    c = compare(s, CompareOptions(time_limit=60, processes=1, deterministic_time=2.0))
    best = c.ranked[0]
    assert best.levers == frozenset({"bonus"}) and best.spread is not None
    none = c.ranked[1]
    assert none.spread is not None and none.spread.mean > best.spread.mean
    assert best.spread.p_beats_status_quo < 0.5
    assert "wins on the expected course but not reliably" in c.recommendation
    assert "under uncertainty, use none of the compared levers" in c.recommendation
    table = c.as_dict()["ranked"]
    assert table[0]["uncertainty"]["profit_p10"] == best.spread.p10
    from optimizer.report.html import render_html

    assert best.plan is not None and best.evaluation is not None
    page = render_html(s, best.plan, best.evaluation, None, c.as_dict())
    assert "profit P10 – P90" in page and f"{best.spread.p10:,} – {best.spread.p90:,}" in page
    # without the block, nothing of it
    plain = compare(
        s.replace(uncertainty=None),
        CompareOptions(time_limit=60, processes=1, deterministic_time=2.0),
    )
    assert all(x.spread is None for x in plain.ranked)
    assert "uncertainty" not in plain.recommendation.lower()


def test_robust_prefers_the_plan_with_the_best_sampled_mean() -> None:
    from optimizer.robust import solve_robust
    from optimizer.solve import SolveOptions

    s = load_dataset("uncertain_bonus")
    picked = solve_robust(s, SolveOptions.reproducible(2.0), 500)
    chosen, best = picked.candidates[0], picked.exact_best
    assert best is not None and best.score > chosen.score  # the exact optimum pays the bonus
    assert chosen.mean > best.mean  # and earns less in the sampled courses
    assert all(chosen.mean >= c.mean for c in picked.candidates)
    plan = picked.result.plan
    assert plan is not None and picked.result.status == "FEASIBLE"
    assert simulate(s, plan).score == plan.score == chosen.score
    assert "chosen: exact score" in picked.summary()
    args = ["--reproducible", "--time-limit", "2", "--robust", "300", "--quiet"]
    shown = CliRunner().invoke(app, ["solve", str(dataset_path("uncertain_bonus")), *args])
    assert shown.exit_code == 0, shown.output
    assert "robust: " in shown.output and "the best exact score" in shown.output


def test_evaluate_and_solve_print_each_targets_chance() -> None:
    path = str(dataset_path("uncertain_bonus"))
    runner = CliRunner()
    shown = runner.invoke(app, ["evaluate", path])
    assert shown.exit_code == 0, shown.output
    assert "Chances (2,000 noisy courses of the plan, seed 0)" in shown.output
    assert "Targets and the chance of reaching them" in shown.output
    solved = runner.invoke(app, ["solve", path, "--reproducible", "--time-limit", "2", "--quiet"])
    assert solved.exit_code == 0, solved.output
    assert "Targets and the chance of reaching them" in solved.output
    assert "targets attained on average" in solved.output
    data = json.loads(load_dataset("crimea").model_dump_json())
    data["uncertainty"] = {}
    data["policy"]["targets"]["attainment_pct"] = 65
    s = load_scenario(data)
    out = simulate(s, greedy_plan(s)).apply_to(greedy_plan(s))
    # each reached at 65 % on the plan's own samples: revenue at the order statistic itself
    revenue = [t.p_revenue for t in out.targets if t.revenue > 0]
    assert revenue and all(0.65 <= p < 0.66 for p in revenue if p is not None)
