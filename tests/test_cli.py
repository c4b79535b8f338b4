"""The `ledokol` command line, run as a user runs it: the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from builders import plan, tiny_data, two_locked_into_one_office

from optimizer.datasets import dataset_path
from optimizer.plan import Plan

LEDOKOL = Path(sys.executable).parent / "ledokol"


def ledokol(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LEDOKOL, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_evaluate_crimea_status_quo_prints_kpis():
    """No plan: the status quo of crimea, a KPI table and its violations, exit 0."""
    done = ledokol("evaluate", dataset_path("crimea"))
    assert done.returncode == 0, done.stderr
    for label in ("profit", "score", "new clients", "salaries", "Territories"):
        assert label in done.stdout
    assert "violation" in done.stdout


def test_evaluate_json_is_a_plan_with_kpis():
    """--json prints the evaluated plan (spec section 7) that reads back as a Plan."""
    done = ledokol("evaluate", dataset_path("long_cycle_equipment"), "--json")
    assert done.returncode == 0, done.stderr
    out = Plan.model_validate_json(done.stdout)
    assert out.kpis is not None
    assert out.status == "FEASIBLE"
    assert out.score == out.kpis.score
    assert out.scenario == "ural-long-cycle"
    assert len(out.bonus_levels) == 12


def test_evaluate_a_plan_file_round_trips(tmp_path):
    """The JSON of an evaluation, fed back as a plan, evaluates to the same score."""
    first = ledokol("evaluate", dataset_path("saturated_bonus"), "--json")
    path = write(tmp_path, "plan.json", first.stdout)
    again = ledokol("evaluate", dataset_path("saturated_bonus"), path, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["kpis"] == json.loads(first.stdout)["kpis"]


def test_evaluate_hand_made_plan_with_violations(tmp_path):
    """A plan breaking rules still evaluates (exit 0) and lists the violations."""
    data = tiny_data()
    data["reps"][0]["roles"] = ["farmer"]
    scenario = write(tmp_path, "s.json", data)
    bad = write(tmp_path, "p.json", plan({"r1": "H:A F:A F:A"}).model_dump(mode="json"))
    done = ledokol("evaluate", scenario, bad)
    assert done.returncode == 0, done.stderr
    assert "[role] r1 (period 0)" in done.stdout
    as_json = json.loads(ledokol("evaluate", scenario, bad, "--json").stdout)
    assert as_json["status"] == "UNKNOWN"
    assert as_json["score"] is None
    assert as_json["violations"][0]["rule"] == "role"


@pytest.mark.parametrize(
    ("plan_data", "fragment"),
    [
        ({"assignments": [{"person": "zz", "period": 0, "role": "bench"}]}, "unknown rep 'zz'"),
        ({"assignments": [{"person": "zz", "period": 0, "role": "off"}]}, "unknown rep 'zz'"),
        (
            {"assignments": [{"person": "r1", "period": 7, "role": "bench"}]},
            "period 7 is outside the horizon",
        ),
        (
            {"assignments": [{"person": "r1", "period": 0, "role": "farmer", "territory": "Q"}]},
            "unknown territory 'Q'",
        ),
        ({"assignments": [{"person": "r1", "period": 0, "role": "boss"}]}, "assignments[r1].role"),
        ({"rows": []}, "assignments: required field is missing"),
        (
            {"assignments": [], "bonus_levels": ["none", "none"]},
            "bonus_levels: 2 levels for a 3-period horizon",
        ),
    ],
)
def test_unreadable_plan_exits_2(tmp_path, plan_data, fragment):
    """A plan that cannot be read: exit 2 and a message naming what, no traceback."""
    scenario = write(tmp_path, "s.json", tiny_data())
    path = write(tmp_path, "p.json", plan_data)
    done = ledokol("evaluate", scenario, path)
    assert done.returncode == 2
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr


def test_invalid_scenario_exits_2_without_traceback(tmp_path):
    """The real console script: a bad scenario gives exit 2 and names entity and field."""
    data = tiny_data()
    data["reps"][0]["home"] = "KRR"
    path = write(tmp_path, "s.json", data)
    for command in ("validate", "evaluate"):
        done = ledokol(command, path)
        assert done.returncode == 2
        assert "reps[r1].home: unknown territory 'KRR'" in done.stderr
        assert "Traceback" not in done.stderr


def test_missing_and_malformed_files_exit_2(tmp_path):
    """No such file, or not JSON: exit 2 with a plain message."""
    assert "cannot read" in ledokol("validate", tmp_path / "nope.json").stderr
    broken = write(tmp_path, "b.json", "{not json")
    done = ledokol("validate", broken)
    assert done.returncode == 2
    assert "not JSON" in done.stderr


def test_validate_describes_a_valid_scenario():
    """A valid scenario: exit 0 and what it holds."""
    done = ledokol("validate", dataset_path("crimea"))
    assert done.returncode == 0
    assert "valid scenario 'crimea-2027': 14 territories, 14 reps, 7 open positions" in done.stdout


@pytest.mark.parametrize("kind", ["scenario", "plan"])
def test_schema_prints_json_schema(kind):
    """`ledokol schema scenario|plan` prints a JSON Schema with the spec's fields."""
    done = ledokol("schema", kind)
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert "properties" in schema
    key = "territories" if kind == "scenario" else "assignments"
    assert key in schema["properties"]


def test_unknown_schema_kind_exits_2():
    """`ledokol schema bogus` is a usage error (exit 2)."""
    assert ledokol("schema", "bogus").returncode == 2


def test_generate_to_stdout_is_valid_json():
    """Without --out the scenario goes to stdout."""
    done = ledokol("generate", "--reps", 5, "--territories", 3, "--periods", 4, "--seed", 9)
    assert done.returncode == 0
    assert json.loads(done.stdout)["horizon"]["periods"] == 4


def test_solve_writes_plan_and_workbook(tmp_path):
    """`ledokol solve --out --xlsx`: exit 0, summary, a plan JSON and a workbook that opens."""
    from openpyxl import load_workbook

    out, xlsx = tmp_path / "plan.json", tmp_path / "plan.xlsx"
    done = ledokol(
        "solve",
        dataset_path("long_cycle_equipment"),
        "--time-limit",
        5,
        "--workers",
        1,
        "--out",
        out,
        "--xlsx",
        xlsx,
        "--html",
        tmp_path / "plan.html",
    )
    assert done.returncode == 0, done.stderr
    assert "id='schedule-chart'" in (tmp_path / "plan.html").read_text(encoding="utf-8")
    for text in ("Plan against the status quo", "Hires:", "Bonus levels:", "Targets:", "Schedule"):
        assert text in done.stdout
    plan = Plan.model_validate_json(out.read_text())
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert plan.violations == ()
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Summary", "Schedule", "Bonus", "Monthly", "Territories", "Targets"]
    assert wb["Schedule"]["A2"].value == "v1"
    assert wb["Schedule"].max_row == 1 + len({a.person for a in plan.assignments})
    summary = {row[0].value: row[1].value for row in wb["Summary"].iter_rows() if row[0].value}
    assert summary["score (RUB)"] == summary["score"] == plan.score
    assert summary["status"] == plan.status
    again = ledokol("evaluate", dataset_path("long_cycle_equipment"), out, "--json")
    assert json.loads(again.stdout)["kpis"]["score"] == plan.score


def test_solve_invalid_scenario_exits_2(tmp_path):
    """A bad scenario never reaches the solver: exit 2."""
    data = tiny_data()
    data["horizon"]["periods"] = 0
    done = ledokol("solve", write(tmp_path, "s.json", data))
    assert done.returncode == 2
    assert "horizon.periods" in done.stderr


def test_solve_without_a_solution_exits_4():
    """No warm start and no time: no plan within the limit, exit 4."""
    done = ledokol(
        "solve", dataset_path("crimea"), "--time-limit", 0.1, "--no-warm-start", "--quiet"
    )
    assert done.returncode == 4, done.stdout
    assert "No plan within the time limit" in done.stdout


def test_solve_writes_the_infeasible_answer_with_out(tmp_path):
    """INFEASIBLE is an answer: exit 3, the explanation printed and written as the plan
    document (status, explanation, no assignments) for scripts and batches."""
    out = tmp_path / "plan.json"
    done = ledokol(
        "solve", write(tmp_path, "s.json", two_locked_into_one_office()), "--out", out, "--quiet"
    )
    assert done.returncode == 3, done.stdout
    document = Plan.model_validate_json(out.read_text())
    assert document.status == "INFEASIBLE" and document.explanation
    assert document.assignments == ()


def test_repair_makes_a_plan_feasible_and_lists_the_changes(tmp_path):
    """`ledokol repair`: the broken rules, then each changed cell, and the repaired plan."""
    data = tiny_data()
    data["locks"] = [{"rep": "r1", "periods": [1], "territory": "B", "role": "farmer"}]
    broken = plan({"r1": "F:A - F:A"})
    out = tmp_path / "fixed.json"
    done = ledokol(
        "repair",
        write(tmp_path, "s.json", data),
        write(tmp_path, "p.json", broken.model_dump_json()),
        "--out",
        out,
        "--time-limit",
        30,
        "--workers",
        1,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "breaks 2 rule(s)" in done.stdout and "r1 2027-02: off -> farmer@B" in done.stdout
    fixed = Plan.model_validate_json(out.read_text())
    assert fixed.status == "FEASIBLE" and not fixed.violations


def test_repair_of_an_impossible_scenario_exits_3(tmp_path):
    """No plan keeps the rules: exit 3 with the conflicting rules."""
    done = ledokol(
        "repair",
        write(tmp_path, "s.json", two_locked_into_one_office()),
        write(tmp_path, "p.json", plan({"r1": "F:A F:A F:A", "r2": "F:A B B"}).model_dump_json()),
        "--time-limit",
        20,
    )
    assert done.returncode == 3, done.stdout
    assert "No plan keeps every rule" in done.stdout


def test_generate_awkward_writes_a_scenario_and_its_witness(tmp_path):
    """`generate --style awkward --witness`: a valid scenario and a plan that keeps its rules."""
    scenario_path, witness = tmp_path / "a.json", tmp_path / "w.json"
    done = ledokol(
        "generate", "--reps", 10, "--territories", 5, "--style", "awkward", "--seed", 2,
        "--out", scenario_path, "--witness", witness,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    checked = ledokol("evaluate", scenario_path, witness, "--json")
    assert checked.returncode == 0, checked.stderr
    assert Plan.model_validate_json(checked.stdout).violations == ()
