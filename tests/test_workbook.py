"""The spreadsheet round trip: a scenario written as a workbook reads back as the same
scenario (the datasets, the awkward family, generated ones); every problem in a workbook names
its sheet and cell; a plan workbook's edited schedule is what `evaluate` scores."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from optimizer.awkward import awkward_data
from optimizer.cli import app
from optimizer.datasets import dataset_names, load_dataset
from optimizer.generate import generate_data
from optimizer.plan import Plan
from optimizer.report.xlsx import write_xlsx
from optimizer.scenario import InvalidInput, Scenario, load_scenario
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan
from optimizer.workbook import (
    example_scenario,
    load_workbook_scenario,
    read_plan_workbook,
    template_bytes,
    write_template,
)


def _round_trip(s: Scenario) -> Scenario:
    return load_workbook_scenario(template_bytes(s))


@pytest.mark.parametrize("name", dataset_names())
def test_every_dataset_reads_back_as_itself(name: str) -> None:
    s = load_dataset(name)
    assert _round_trip(s) == s


@pytest.mark.parametrize("seed", range(6))
def test_awkward_scenarios_read_back_as_themselves(seed: int) -> None:
    """Locks against current stints, leave inside stints, productivity lists, departures: all
    survive the spreadsheet (the baseline of a re-plan is not part of the workbook)."""
    data, _ = awkward_data(5, 3, 6, seed, None)
    s = load_scenario(data).replace(baseline=None)
    assert _round_trip(s) == s


def test_a_forbid_reads_back_as_itself() -> None:
    """A forbid survives the locks sheet (its forbid column), beside an ordinary lock."""
    s = load_dataset("rotation_distributor")
    rep = next(r for r in s.reps if not s.is_protected_veteran(r))
    locks = [
        {"rep": rep.id, "periods": [1, 2], "territory": rep.home, "forbid": True},
        {"rep": rep.id, "periods": [3], "role": "bench"},
    ]
    s = s.replace(locks=locks)
    assert [lock.forbid for lock in s.locks] == [True, False]
    assert _round_trip(s) == s


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 12), st.integers(1, 6), st.integers(1, 24), st.integers(0, 10**6))
def test_generated_scenarios_read_back_as_themselves(
    reps: int, territories: int, periods: int, seed: int
) -> None:
    s = load_scenario(generate_data(reps, territories, periods, seed))
    assert _round_trip(s) == s


def test_the_example_template_is_a_valid_scenario(tmp_path: Path) -> None:
    path = write_template(tmp_path / "team.xlsx")
    assert load_workbook_scenario(path) == example_scenario()
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "scenario",
        "territories",
        "reps",
        "hiring",
        "training",
        "levers",
        "bonus levels",
        "goals",
        "locks",
        "uncertainty",
        "notes",
    ]
    reps = wb["reps"]
    headers = [c.value for c in reps[1]]
    assert "salary (RUB / month)" in headers and "home" in headers
    lists = {str(v.sqref): v.formula1 for v in reps.data_validations.dataValidation}
    home = "C2:C500"
    assert lists[home] == "'territories'!$A$2:$A$500"  # a drop-down of the territories' ids
    assert '"yes,no"' in lists.values()


def _edited(tmp_path: Path, edits: dict[tuple[str, str], object]) -> Path:
    path = write_template(tmp_path / "team.xlsx")
    wb = load_workbook(path)
    for (sheet, cell), value in edits.items():
        wb[sheet][cell] = value
    wb.save(path)
    return path


def test_every_problem_names_its_sheet_and_cell_at_once(tmp_path: Path) -> None:
    path = _edited(
        tmp_path,
        {
            ("reps", "C3"): "KRR",  # the second rep's home
            ("reps", "H2"): -5,  # the first rep's salary
            ("reps", "E4"): "maybe",  # trained: yes or no
            ("reps", "Q4"): "2027-02, 2027-13",  # a month that is not one
            ("territories", "F2"): "lots",
            ("levers", "B3"): "two",
            ("scenario", "A20"): "colour",
            ("reps", "U1"): "shoe size",
        },
    )
    with pytest.raises(InvalidInput) as caught:
        load_workbook_scenario(path)
    problems = caught.value.problems
    for expected in (
        "reps!C3: unknown territory 'KRR'",
        "reps!H2: must be >= 0",
        "reps!E4: expected yes or no, got 'maybe'",
        "reps!Q4: value 2: must be an integer",
        "territories!F2: must be an integer",
        "levers!B3: must be an integer",
        "scenario!A20: unknown setting 'colour'",
        "reps!U1: unknown column 'shoe size'",
    ):
        assert any(p.startswith(expected) for p in problems), (expected, problems)


def test_months_are_labels_or_indices(tmp_path: Path) -> None:
    by_label = _edited(tmp_path, {("reps", "Q3"): "2027-03, 2027-04"})
    as_label = load_workbook_scenario(by_label)
    by_index = _edited(tmp_path, {("reps", "Q3"): "2, 3"})
    as_index = load_workbook_scenario(by_index)
    assert as_label.rep_by_id["r02"].unavailable == (2, 3) == as_index.rep_by_id["r02"].unavailable


def test_a_missing_sheet_and_a_file_that_is_no_workbook_are_named(tmp_path: Path) -> None:
    path = write_template(tmp_path / "team.xlsx")
    wb = load_workbook(path)
    del wb["territories"]
    wb.save(path)
    with pytest.raises(InvalidInput, match="no sheet 'territories'"):
        load_workbook_scenario(path)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_workbook_scenario(fake)
    assert "fake.xlsx: not an Excel workbook" in caught.value.problems[0]


def test_cli_template_validate_and_evaluate_a_workbook(tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "crimea.xlsx"
    made = runner.invoke(app, ["template", str(path), "--from", "datasets/crimea.json"])
    assert made.exit_code == 0, made.output
    valid = runner.invoke(app, ["validate", str(path)])
    assert valid.exit_code == 0 and "valid scenario 'crimea-2027'" in valid.output
    scored = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert scored.exit_code == 0
    s = load_dataset("crimea")
    expected = simulate(s, status_quo_plan(s))
    assert json.loads(scored.output)["kpis"]["profit"] == expected.kpis.profit
    wb = load_workbook(path)
    wb["reps"]["C3"] = "KRR"
    wb.save(path)
    broken = runner.invoke(app, ["validate", str(path)])
    assert broken.exit_code == 2
    assert "reps!C3: unknown territory 'KRR'" in broken.output
    assert "Traceback" not in broken.output
    wrong = runner.invoke(app, ["template", str(tmp_path / "team.json")])
    assert wrong.exit_code == 2 and ".xlsx" in wrong.output


def test_an_edited_plan_workbook_is_what_evaluate_scores(tmp_path: Path) -> None:
    """A planner opens the plan's workbook, moves a rep in one month, saves it: `evaluate`
    scores exactly the edited plan; a cell that is no state is named."""
    s = load_dataset("rotation_distributor")
    plan = status_quo_plan(s)
    path = tmp_path / "plan.xlsx"
    write_xlsx(s, simulate(s, plan).apply_to(plan), path)
    assert simulate(s, read_plan_workbook(s, path)).kpis == simulate(s, plan).kpis
    wb = load_workbook(path)
    sheet = wb["Schedule"]
    rep = str(sheet["A2"].value)
    sheet["E2"] = "bench"  # the first rep on the bench in the third month
    wb.save(path)
    edited = Plan(
        scenario=s.name,
        assignments=tuple(
            a.model_copy(update={"role": "bench", "territory": None})
            if (a.person, a.period) == (rep, 2)
            else a
            for a in plan.assignments
        ),
        bonus_levels=plan.bonus_levels,
    )
    runner = CliRunner()
    scenario_file = tmp_path / "s.json"
    scenario_file.write_text(s.model_dump_json(), encoding="utf-8")
    scored = runner.invoke(app, ["evaluate", str(scenario_file), str(path), "--json"])
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.output)["kpis"]["profit"] == simulate(s, edited).kpis.profit
    sheet["F3"] = "hunted SIM"
    wb.save(path)
    bad = runner.invoke(app, ["evaluate", str(scenario_file), str(path)])
    assert bad.exit_code == 2 and "Schedule!F3: unknown state 'hunted SIM'" in bad.output


def test_the_plan_workbook_reads_like_a_report(tmp_path: Path) -> None:
    """Words for labels, names beside ids, the status quo beside the plan, months summed,
    targets per person by name and quarter: and every figure the simulator's."""
    s = load_dataset("crimea")
    from optimizer.greedy import greedy_plan

    plan = greedy_plan(s)
    ev = simulate(s, plan)
    quo = simulate(s, status_quo_plan(s))
    path = tmp_path / "plan.xlsx"
    write_xlsx(s, ev.apply_to(plan), path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Schedule", "Bonus", "Monthly", "Territories", "Targets"]
    table = {
        row[0].value: [c.value for c in row[1:4]]
        for row in wb["Summary"].iter_rows()
        if row[0].value
    }
    assert table["profit"] == [ev.kpis.profit, quo.kpis.profit, ev.kpis.profit - quo.kpis.profit]
    assert table["acquisition bonus"][0] == ev.kpis.bonus_cost
    assert wb["Summary"]["B10"].number_format.startswith("#,##0")

    monthly = list(wb["Monthly"].iter_rows(values_only=True))
    head = monthly[0]
    assert head[:3] == ("month", "bonus level", "hunters")
    column = {name: i for i, name in enumerate(head)}
    assert [r[0] for r in monthly[1:]] == [s.period_label(p) for p in range(s.periods)]
    assert sum(r[column["new clients"]] for r in monthly[1:]) == ev.kpis.new_clients
    assert sum(r[column["status quo: new clients"]] for r in monthly[1:]) == quo.kpis.new_clients
    assert sum(r[column["revenue (RUB)"]] for r in monthly[1:]) == ev.kpis.revenue_total
    assert sum(r[column["bonus (RUB)"]] for r in monthly[1:]) == ev.kpis.bonus_cost
    costs = ev.kpis.margin_total + ev.kpis.terminal - ev.kpis.profit
    assert sum(r[column["costs (RUB)"]] for r in monthly[1:]) == costs
    quo_costs = quo.kpis.margin_total + quo.kpis.terminal - quo.kpis.profit
    assert sum(r[column["status quo: costs (RUB)"]] for r in monthly[1:]) == quo_costs

    targets = list(wb["Targets"].iter_rows(values_only=True))
    assert targets[0][:3] == ("person", "name", "period")
    names = {r.id: r.name for r in s.reps}
    assert all(row[1] == names.get(row[0], "new hire") for row in targets[1:])
    assert {row[2] for row in targets[1:]} <= {"2027 Q1", "2027 Q2", "2027 Q3", "2027 Q4"}
    assert sum(row[6] for row in targets[1:]) == ev.kpis.targets_revenue

    territories = list(wb["Territories"].iter_rows(values_only=True))
    assert territories[1][:3] == (
        s.territories[0].id,
        s.territories[0].name,
        s.period_label(0),
    )
    assert read_plan_workbook(s, path).bonus_levels == plan.bonus_levels


def test_the_uncertainty_block_and_attainment_read_back_from_their_sheets(tmp_path: Path) -> None:
    data = json.loads(load_dataset("crimea").model_dump_json())
    data["uncertainty"] = {"hunter_cv_pct": 30, "samples": 500, "seed": 7}
    data["policy"]["targets"]["attainment_pct"] = 65
    s = load_scenario(data)
    assert _round_trip(s) == s
    wb = load_workbook(io.BytesIO(template_bytes(s)))
    rows = {r[0]: r[1] for r in wb["uncertainty"].iter_rows(min_row=2, values_only=True)}
    assert rows["hunter_cv_pct"] == 30 and rows["samples"] == 500 and rows["seed"] == 7
    # an empty sheet: no block
    assert _round_trip(load_dataset("crimea")).uncertainty is None
