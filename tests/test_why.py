"""Why is a person where the plan puts him? Each alternative the rules allow is priced by a
plan that keeps every rule with that cell forced, and no better than the exhaustive optimum
with that cell forced; each alternative they forbid has no plan at all, and says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import rep_data, tiny_data
from exhaustive import exhaustive_optimum, search_size
from typer.testing import CliRunner

from optimizer.awkward import awkward_data
from optimizer.cli import app
from optimizer.deadline import Deadline
from optimizer.plan import Cell, Plan
from optimizer.repair import changes_between
from optimizer.scenario import InvalidInput, Scenario, load_scenario
from optimizer.simulate import simulate
from optimizer.solve import SolveOptions, solve
from optimizer.why import why, with_lock


def _cell(plan: Plan, person: str, period: int) -> Cell:
    a = next(a for a in plan.assignments if (a.person, a.period) == (person, period))
    return Cell(a.role, a.territory)


def _two_reps() -> Scenario:
    d = tiny_data()
    d["reps"].append(rep_data("r2", "B", salary=1000))
    return load_scenario(d)


@pytest.mark.parametrize("period", [0, 2])
def test_alternatives_are_checked_plans_no_better_than_the_forced_optimum(period: int) -> None:
    s = _two_reps()
    assert search_size(s) <= 60_000
    plan = solve(s, SolveOptions(time_limit=60, workers=1, seed=0, strategy="cp-sat")).plan
    assert plan is not None
    answer = why(s, plan, "r1", period, Deadline.after(120))
    assert answer.cell == _cell(plan, "r1", period)
    statuses = {a.status for a in answer.alternatives}
    assert "priced" in statuses and "plan" in statuses
    for a in answer.alternatives:
        if a.status == "priced":
            assert a.plan is not None and a.score is not None and a.delta is not None
            forced = with_lock(s, "r1", period, a.cell)
            assert simulate(forced, a.plan).feasible
            assert _cell(a.plan, "r1", period) == a.cell
            best = exhaustive_optimum(forced)
            assert best is not None and a.score <= best <= answer.score  # the plan is optimal
            assert a.delta == a.score - answer.score == sum(a.terms.values())
        elif a.status == "impossible":
            assert a.reason
            try:
                forced = with_lock(s, "r1", period, a.cell)
            except InvalidInput:
                continue  # a lock the scenario itself refuses
            assert exhaustive_optimum(forced) is None


def test_why_on_an_awkward_scenario_keeps_every_rule() -> None:
    """Locks against current stints, leave, tight offices: every priced alternative still keeps
    every rule with its cell forced; every forbidden one says which rule forbids it."""
    data, witness = awkward_data(6, 3, 6, 3, None)
    s = load_scenario(data)
    plan = Plan.model_validate(witness)
    assert simulate(s, plan).feasible
    priced = 0
    for rep, period in ((s.reps[0].id, 0), (s.reps[1].id, 2), (s.reps[2].id, s.periods - 1)):
        answer = why(s, plan, rep, period, Deadline.after(60))  # a cap: tiny, it ends early
        priced += sum(a.status == "priced" for a in answer.alternatives)
        for a in answer.alternatives:
            if a.status == "priced":
                assert a.plan is not None
                assert simulate(with_lock(s, rep, period, a.cell), a.plan).feasible
            elif a.status == "impossible":
                assert a.reason
    assert priced > 0  # the search priced some: the test checks plans, not only refusals


def test_why_refuses_a_plan_that_breaks_rules_and_unknown_cells() -> None:
    s = _two_reps()
    off = [{"person": p, "period": t, "role": "off"} for p in ("r1", "r2") for t in range(3)]
    broken = Plan.model_validate({"assignments": off})  # off while employed: broken rules
    assert not simulate(s, broken).feasible
    with pytest.raises(InvalidInput, match="breaks rules"):
        why(s, broken, "r1", 0, Deadline.after(5))
    plan = solve(s, SolveOptions(time_limit=30, workers=1, seed=0)).plan
    assert plan is not None
    with pytest.raises(InvalidInput, match="no rep or position 'zz'"):
        why(s, plan, "zz", 0, Deadline.after(5))
    with pytest.raises(InvalidInput, match="outside"):
        why(s, plan, "r1", 9, Deadline.after(5))


def test_cli_why_prints_each_alternative_with_its_price_or_its_rule(tmp_path: Path) -> None:
    s = _two_reps()
    plan = solve(s, SolveOptions(time_limit=30, workers=1, seed=0, strategy="cp-sat")).plan
    assert plan is not None
    scenario_file, plan_file = tmp_path / "s.json", tmp_path / "p.json"
    scenario_file.write_text(s.model_dump_json(), encoding="utf-8")
    plan_file.write_text(plan.model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    args = [str(scenario_file), str(plan_file), "--person", "r1", "--month", s.period_label(1)]
    done = runner.invoke(app, ["why", *args, "--time-limit", "20"])
    assert done.exit_code == 0, done.output
    assert "r1 in " + s.period_label(1) in done.output
    assert f"pricing r1 in {s.period_label(1)}: up to 20 s" in done.output  # the wait, said
    as_json = runner.invoke(app, ["why", *args, "--time-limit", "20", "--json"])
    answer = json.loads(as_json.output)
    assert answer["person"] == "r1" and answer["period"] == 1
    assert {a["status"] for a in answer["alternatives"]} >= {"plan"}
    same = runner.invoke(app, ["explain", *args, "--time-limit", "20", "--json"])
    assert same.exit_code == 0 and json.loads(same.output)["person"] == "r1"
    bad = runner.invoke(
        app, ["why", str(scenario_file), str(plan_file), "--person", "zz", "--period", "0"]
    )
    assert bad.exit_code == 2 and "no rep or position 'zz'" in bad.output
    no_month = runner.invoke(app, ["why", str(scenario_file), str(plan_file), "--person", "r1"])
    assert no_month.exit_code == 2 and "give --month, one of 2027-01..2027-03" in no_month.output


def _generated() -> tuple[Scenario, Plan]:
    from optimizer.generate import generate

    s = generate(40, 20, 6, 3, name="why-scope")
    result = solve(s, SolveOptions(time_limit=60, workers=1, seed=0, deterministic_time=5.0))
    assert result.plan is not None
    return s, result.plan


def test_the_quick_pass_prices_exactly_and_the_same_on_any_machine() -> None:
    """The quick pass prices in sub-scenarios (as is, and re-solved); its score and every KPI
    term must be what the simulator gives the whole plan, and its work is counted in
    deterministic time: two runs give the same answer."""
    from optimizer.search.neighbourhood import SubModels
    from optimizer.why import _Quick

    s, plan = _generated()
    base = simulate(s, plan)
    models = SubModels(s)
    # a person whose sub-scenario is smaller than the whole: there the constants matter
    person = next(
        r.id
        for r in s.reps
        if len(models.domains.of(r.id, 2)) > 1
        and not _Quick(
            models, plan, base, r.id, 2, None, range(1, 4), frozenset(), True
        ).scope.whole
    )
    first = why(s, plan, person, 2, Deadline.after(120), deep=False)
    again = why(s, plan, person, 2, Deadline.after(120), deep=False)
    assert [a.as_dict() for a in first.alternatives] == [a.as_dict() for a in again.alternatives]
    priced = [a for a in first.alternatives if a.status == "priced"]
    assert priced and all(a.how in ("as is", "quick") for a in priced)
    for a in priced:
        assert a.plan is not None and a.score is not None
        whole = simulate(with_lock(s, person, 2, a.cell), a.plan)
        assert whole.feasible and whole.score == a.score
        assert a.delta == a.score - base.score == sum(a.terms.values())
        for term, effect in a.terms.items():
            sign = 1 if term in ("margin_total", "terminal") else -1
            assert effect == sign * (getattr(whole.kpis, term) - getattr(base.kpis, term))


def test_the_deep_pass_only_improves_on_the_quick_one() -> None:
    s, plan = _generated()
    person = "r02"
    quick = why(s, plan, person, 3, Deadline.after(120), deep=False)
    deep = why(s, plan, person, 3, Deadline.after(120))
    before = {a.cell: a for a in quick.alternatives}
    for a in deep.alternatives:
        q = before[a.cell]
        if q.status == "priced":
            assert a.status == "priced" and a.score is not None and q.score is not None
            assert a.score >= q.score
            assert a.how == (q.how if a.score == q.score else "deep")


def test_the_gap_of_an_alternative_is_to_the_plans_bound() -> None:
    s = _two_reps()
    result = solve(s, SolveOptions(time_limit=60, workers=1, seed=0, strategy="cp-sat"))
    assert result.plan is not None and result.plan.best_bound is not None
    answer = why(s, result.plan, "r1", 1, Deadline.after(60), deep=False)
    bound = result.plan.best_bound
    for a in answer.alternatives:
        if a.score is not None:
            assert a.gap_pct == round(100.0 * (bound - a.score) / bound, 2)


def test_a_quick_re_solve_that_finds_nothing_falls_back_on_the_cell_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no work allowed CP-SAT finds no plan: the only prices are then those of the plan
    with just that cell changed (or his hunter stint extended around it), priced only when the
    whole plan keeps every rule; every other alternative is unknown."""
    import optimizer.why as module

    s, plan = _generated()
    monkeypatch.setattr(module, "QUICK_WORK", 1e-9)
    monkeypatch.setattr(module, "BEST_WORK", 1e-9)
    base = simulate(s, plan)
    priced = 0
    for person, period in ((r.id, p) for r in s.reps[:6] for p in (1, 2, 4)):
        answer = why(s, plan, person, period, Deadline.after(120), deep=False)
        for a in answer.alternatives:
            if a.status == "priced":
                priced += 1
                assert a.plan is not None and a.how == "as is"
                moved = {x.person for x in changes_between(s, plan, a.plan)}
                assert moved == {person}  # his cell, and his stint around it: nobody else
                assert a.changed == 0 or a.cell.role == "hunter"
                whole = simulate(with_lock(s, person, period, a.cell), a.plan)
                assert whole.feasible and whole.score == a.score
                assert a.delta == a.score - base.score
            elif a.status == "unknown":
                assert not simulate(s, module._put(plan, person, period, a.cell)).feasible
    assert priced > 0  # some single-cell changes keep every rule: the fallback was taken


@pytest.fixture(scope="module")
def crimea() -> tuple[Scenario, Plan]:
    from optimizer.datasets import load_dataset

    s = load_dataset("crimea")
    plan = solve(s, SolveOptions(time_limit=60, workers=1, seed=0, deterministic_time=5.0)).plan
    assert plan is not None
    return s, plan


def test_a_new_role_under_specialization_is_priced_over_the_year(
    crimea: tuple[Scenario, Plan],
) -> None:
    """Under specialization a farmer made hunter for a month hunts all year (crimea): the quick pass
    frees his year and those who take over his book, and prices such alternatives exactly."""
    s, plan = crimea
    assert s.policy.specialization_on
    base = simulate(s, plan)
    farmers = [
        a.person
        for a in plan.assignments
        if a.period == 2 and a.role == "farmer" and "hunter" in s.person_by_id[a.person].roles
    ]
    hunters = 0
    for person in farmers[:2]:
        answer = why(s, plan, person, 2, Deadline.after(120), deep=False)
        for a in answer.alternatives:
            if a.status == "priced" and a.cell.role == "hunter":
                hunters += 1
                assert a.how == "quick" and a.plan is not None
                whole = simulate(with_lock(s, person, 2, a.cell), a.plan)
                assert whole.feasible and whole.score == a.score
                assert a.delta == a.score - base.score
    assert hunters > 0


def test_hunting_a_pool_that_never_feeds_a_hunter_is_impossible_and_says_so() -> None:
    d = tiny_data()
    d["territories"][1]["prospects"] = 10
    d["territories"][1]["prospect_inflow"] = 1
    d["policy"] = {"prospect_supply": {"min_prospects_per_hunter": 50}}
    s = load_scenario(d)
    plan = solve(s, SolveOptions(time_limit=60, workers=1, seed=0, strategy="cp-sat")).plan
    assert plan is not None
    answer = why(s, plan, "r1", 2, Deadline.after(120))
    by_cell = {a.cell: a for a in answer.alternatives}
    starved = by_cell[Cell("hunter", "B")]
    assert starved.status == "impossible"
    assert starved.reason == (
        "B's pool holds at most 12 prospects in 2027-03, fewer than the 50 a hunter needs"
    )
    assert by_cell[Cell("farmer", "B")].status != "impossible"
    # the rule is real: no plan hunts B then
    assert exhaustive_optimum(with_lock(s, "r1", 2, Cell("hunter", "B"))) is None


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_an_alternative_as_is_is_priced_exactly_or_not_at_all(seed: int) -> None:
    """The plan with just one cell changed (or a hunter stint of the minimum length around
    it), priced in the sub-scenario of the territories it touches: priced exactly when the
    whole plan keeps every rule (score and every KPI term the whole simulator's, nobody else
    moved), refused when it breaks one. Every person, month and alternative of awkward
    scenarios (locks against stints, leave, one trainer seat, departures, hires)."""
    from optimizer.search.neighbourhood import SubModels
    from optimizer.search.scope import territory_totals
    from optimizer.why import _every_cell, _put, _stints, _try_as_is

    data, witness = awkward_data(6, 4, 6, seed, None)
    s = load_scenario(data)
    plan = Plan.model_validate(witness)
    base = simulate(s, plan)
    assert base.feasible
    models = SubModels(s)
    totals = territory_totals(base)
    rows = {(a.person, a.period): Cell(a.role, a.territory) for a in plan.assignments}
    seen = {"priced": 0, "refused": 0, "stints": 0}
    for person in s.persons:
        for period in range(s.periods):
            current = rows.get((person.id, period), Cell("off"))
            for cell in _every_cell(s, person.id):
                if cell == current or cell not in models.domains.of(person.id, period):
                    continue
                for months in [(period,), *_stints(s, period, cell)]:
                    alone, _ = _try_as_is(
                        models, plan, base, totals, person.id, period, current, cell, None, months
                    )
                    after = plan
                    for q in months:
                        after = _put(after, person.id, q, cell)
                    whole = simulate(s, after)
                    if not whole.feasible:
                        assert alone is None, (person.id, months, cell)
                        seen["refused"] += 1
                        continue
                    assert alone is not None and alone.how == "as is", (person.id, months, cell)
                    assert alone.score == whole.score and alone.plan == after
                    assert alone.changed <= len(months) - 1
                    assert alone.delta == whole.score - base.score == sum(alone.terms.values())
                    for term, effect in alone.terms.items():
                        sign = 1 if term in ("margin_total", "terminal") else -1
                        assert effect == sign * (
                            getattr(whole.kpis, term) - getattr(base.kpis, term)
                        )
                    seen["priced"] += 1
                    seen["stints"] += len(months) > 1
    assert seen["priced"] > 0 and seen["refused"] > 0


def test_the_quick_pass_improves_on_the_cell_alone_and_stays_exact(
    crimea: tuple[Scenario, Plan],
) -> None:
    """Every quick price is at least the price of the plan with just that cell changed (when
    that keeps every rule), and on crimea the sub-models find better ones: someone steps in
    where the person leaves. Each is still the whole simulator's score."""
    from optimizer.search.neighbourhood import SubModels
    from optimizer.search.scope import territory_totals
    from optimizer.why import _try_as_is

    s, plan = crimea
    base = simulate(s, plan)
    models = SubModels(s)
    better = 0
    for person in ("r03", "r14"):
        answer = why(s, plan, person, 4, Deadline.after(120), deep=False)
        for a in answer.alternatives:
            if a.status != "priced":
                continue
            assert a.plan is not None and a.how in ("as is", "quick")
            whole = simulate(with_lock(s, person, 4, a.cell), a.plan)
            assert whole.feasible and whole.score == a.score
            alone, _ = _try_as_is(
                models, plan, base, territory_totals(base), person, 4, answer.cell, a.cell, None
            )
            if alone is not None:
                assert alone.score is not None and a.score is not None
                assert a.score >= alone.score
                better += a.score > alone.score
    assert better > 0


def test_an_alternative_with_no_plan_around_the_cell_is_tried_over_the_year(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the sub-model around the cell has no plan (someone else's stint would have to
    move by more than a month), the quick pass tries the alternative again over the whole
    horizon; what it finds is a checked plan with the cell forced (awkward scenarios)."""
    import optimizer.why as module

    found: list[tuple[str, int, Cell]] = []
    price = module._Resolves.price

    def spy(
        self: module._Resolves, cell: Cell, deadline: Deadline, best: bool, again: bool = False
    ) -> module.Alternative | None:
        answer = price(self, cell, deadline, best, again)
        if again and answer is not None:
            found.append((self.person, self.period, cell))
        return answer

    monkeypatch.setattr(module._Resolves, "price", spy)
    data, witness = awkward_data(6, 4, 6, 3, None)
    s = load_scenario(data)
    plan = Plan.model_validate(witness)
    for person, period in (("a0002", 0), ("a0006", 2)):
        answer = why(s, plan, person, period, Deadline.after(60), deep=False)
        for a in answer.alternatives:
            if a.status == "priced":
                assert a.plan is not None
                whole = simulate(with_lock(s, person, period, a.cell), a.plan)
                assert whole.feasible and whole.score == a.score
    assert found  # the year's sub-model priced what the one around the cell could not
