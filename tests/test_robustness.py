"""Bad input, every class of it, answered as a planner needs: each problem named, all at once, exit
2 on the command line and 4xx problem+json from the service, never a traceback (issue 15).

The service is a real `ledokol serve` process; the command line is the installed console script.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from builders import tiny_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service import Service, dataset, submit, wait_for

from optimizer.datasets import load_dataset
from optimizer.domains import build_domains
from optimizer.plan import Assignment, Plan
from optimizer.scenario import InvalidInput, Scenario, load_scenario
from optimizer.search.scope import scope_of, territory_totals
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan

LEDOKOL = Path(sys.executable).parent / "ledokol"
INT64 = 2**63


def ledokol(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LEDOKOL, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_scenario(data)
    return caught.value.problems


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = Service(tmp_path_factory.mktemp("robust") / "data").start()
    yield svc
    svc.stop()


@pytest.fixture
def client(service: Service) -> Iterator[httpx.Client]:
    with service.client() as c:
        yield c


# -- every problem at once ---------------------------------------------------------------------


def test_field_errors_and_cross_entity_problems_come_together(client: httpx.Client, tmp_path):
    data = dataset("crimea")
    data["reps"][6]["home"] = "KRR"
    data["reps"][2]["salary"] = -5
    assert problems_of(data) == [
        "reps[r03].salary: must be >= 0 (got -5)",
        "reps[r07].home: unknown territory 'KRR'",
    ]
    answer = client.post("/v1/validate", json={"scenario": data}).json()
    assert {e["field"] for e in answer["errors"]} == {
        "scenario.reps[r03].salary",
        "scenario.reps[r07].home",
    }
    path = tmp_path / "two.json"
    path.write_text(json.dumps(data))
    done = ledokol("validate", path)
    assert done.returncode == 2
    assert "reps[r03].salary" in done.stderr and "reps[r07].home" in done.stderr


def test_a_stand_in_is_never_blamed_itself():
    """A broken value is patched to run the cross-entity checks; what they say about the patch
    is not reported: a negative hunter stint minimum alone gives one problem, not two."""
    data = dataset("rotation_distributor")
    data["policy"]["rotation"]["hunter_stint_max"] = 0
    assert problems_of(data) == ["policy.rotation.hunter_stint_max: must be >= 1 (got 0)"]


# -- an empty list of hiring territories opens nothing -----------------------------------------


def test_hiring_territories_empty_means_none_and_null_means_all():
    data = dataset("crimea")
    data["hiring"]["territories"] = None
    everywhere = load_scenario(data)
    assert len(everywhere.positions) == len(everywhere.territories)
    data["hiring"]["territories"] = []
    nowhere = load_scenario(data)
    assert nowhere.positions == ()
    plan = status_quo_plan(nowhere)
    totals = territory_totals(simulate(nowhere, plan))
    scope = scope_of(
        nowhere,
        build_domains(nowhere),
        plan,
        totals,
        lambda person, p: person == "r01",
        frees_any_level=False,
    )
    assert not scope.whole
    assert scope.scenario.positions == ()


# -- a plan of another scenario ----------------------------------------------------------------


def test_a_plan_of_another_scenario_is_one_line(client: httpx.Client, tmp_path: Path):
    crimea, other = dataset("crimea"), dataset("saturated_bonus")
    plan = status_quo_plan(load_scenario(other)).model_dump(mode="json")
    answer = client.post("/v1/evaluate", json={"scenario": crimea, "plan": plan})
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert len(errors) == 1 and errors[0]["field"] == "plan.scenario"
    assert f"'{other['name']}', not '{crimea['name']}'" in errors[0]["message"]
    stray = status_quo_plan(load_scenario(crimea)).model_dump(mode="json")
    stray["assignments"].append({"person": "zz", "period": 99, "role": "off"})
    answer = client.post("/v1/evaluate", json={"scenario": crimea, "plan": stray})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "plan.assignments[zz, period 99]"
    scenario_file, plan_file = tmp_path / "s.json", tmp_path / "p.json"
    scenario_file.write_text(json.dumps(crimea))
    plan_file.write_text(json.dumps(plan))
    done = ledokol("evaluate", scenario_file, plan_file)
    assert done.returncode == 2
    assert done.stderr.count("\n  - ") == 1 and "the plan is for scenario" in done.stderr


# -- documents that are not documents ----------------------------------------------------------

NOT_DOCUMENTS = {
    "deep": ("{" + '"a":' + "[" * 3000 + "]" * 3000 + "}").encode(),
    "nested past the limit": ('{"a":' + "[" * 200 + "]" * 200 + "}").encode(),
    "not utf-8": b'{"name": "\xff\xfe"}',
    "a 5,000-digit integer": ('{"name": ' + "9" * 5000 + "}").encode(),
}
WHY = {
    "deep": "nested deeper than",
    "nested past the limit": "nested deeper than",
    "not utf-8": "not UTF-8",
    "a 5,000-digit integer": "a number of more than",
}


@pytest.mark.parametrize("case", sorted(NOT_DOCUMENTS))
def test_a_file_that_is_not_a_document_exits_2_in_one_line(case: str, tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(NOT_DOCUMENTS[case])
    crimea = Path(__file__).parents[1] / "datasets" / "crimea.json"
    for args in (("validate", bad), ("evaluate", crimea, bad), ("solve", bad)):
        done = ledokol(*args)
        assert done.returncode == 2, (args, done.stderr[-500:])
        assert WHY[case] in done.stderr and "Traceback" not in done.stderr, done.stderr[-500:]


@pytest.mark.parametrize("case", sorted(NOT_DOCUMENTS))
def test_a_body_that_is_not_a_document_is_400_with_the_reason(client: httpx.Client, case: str):
    body = b'{"scenario": ' + NOT_DOCUMENTS[case] + b"}"
    for route in ("/v1/validate", "/v1/evaluate", "/v1/solves", "/v1/compare"):
        answer = client.post(route, content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 400, (route, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert WHY[case] in answer.json()["detail"]


# -- money beyond 64 bits ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [10**30, 2**63, 2**62])
def test_money_the_score_cannot_hold_is_refused_naming_the_field(value: int):
    data = dataset("crimea")
    data["territories"][0]["account_value"] = value
    (problem,) = problems_of(data)
    assert problem.startswith("territories[SIM].account_value: too large")


def test_the_largest_money_accepted_keeps_every_score_in_64_bits():
    """At the edge the check allows, the status quo and the greedy plan score inside int64."""
    from optimizer.greedy import greedy_plan

    data = dataset("crimea")
    low, high = 1, 10**20
    while high - low > 1:
        mid = (low + high) // 2
        data["territories"][0]["account_value"] = mid
        try:
            load_scenario(data)
            low = mid
        except InvalidInput:
            high = mid
    data["territories"][0]["account_value"] = low
    s = load_scenario(data)
    for plan in (status_quo_plan(s), greedy_plan(s)):
        ev = simulate(s, plan)
        for value in (ev.score, ev.kpis.profit, ev.kpis.margin_total, ev.kpis.terminal):
            assert -INT64 <= value < INT64


def test_big_salaries_and_goal_costs_are_refused_too():
    data = dataset("unrealistic_goals")
    data["policy"]["targets"]["new_client_shortfall_cost"] = 2**62
    (problem,) = problems_of(data)
    assert problem.startswith("policy.targets.new_client_shortfall_cost: too large")
    data = dataset("crimea")
    data["reps"][0]["salary"] = 2**60
    (problem,) = problems_of(data)
    assert problem.startswith("reps[r01].salary: too large")


# -- meaningless values ------------------------------------------------------------------------


def test_a_nul_in_an_id_and_an_infinite_radius_are_refused(tmp_path: Path):
    data = dataset("crimea")
    data["reps"][0]["id"] = "r\x0001"
    data["territories"][1]["id"] = "YA\nL"
    data["defaults"]["max_distance_km"] = math.inf
    found = problems_of(data)
    assert "defaults.max_distance_km: must be a finite number (got inf)" in found
    assert any(p.startswith("reps[r\\x0001].id: an id may not hold control") for p in found)
    assert any(p.startswith("territories[YA\\nL].id") for p in found)
    path = tmp_path / "inf.json"
    path.write_text(json.dumps(data))  # Python writes Infinity, as some tools do
    assert "Infinity" in path.read_text()
    done = ledokol("validate", path)
    assert done.returncode == 2 and "must be a finite number" in done.stderr
    assert "\x00" not in done.stderr


def test_a_million_leave_periods_give_one_short_message(tmp_path: Path):
    data = dataset("crimea")
    data["reps"][0]["unavailable"] = list(range(1_000_000))
    (problem,) = problems_of(data)
    assert "999,988 periods (12, 13, 14, 15, 16, ... and 999,983 more)" in problem
    path = tmp_path / "leave.json"
    path.write_text(json.dumps(data))
    done = ledokol("validate", path)
    assert done.returncode == 2 and len(done.stderr) < 1000


def test_a_long_list_of_problems_is_cut_short_with_the_count(client: httpx.Client):
    data = tiny_data()
    data["locks"] = [{"rep": f"ghost{i}", "periods": [0], "role": "bench"} for i in range(500)]
    with pytest.raises(InvalidInput) as caught:
        load_scenario(data)
    assert len(caught.value.problems) == 500
    text = str(caught.value)
    assert "500 problems" in text and "and 450 more problems" in text
    answer = client.post("/v1/validate", json={"scenario": data}).json()
    assert len(answer["errors"]) == 101
    assert answer["errors"][-1]["message"] == "and 400 more problems"


# -- a level of a disabled bonus menu ----------------------------------------------------------


def test_a_level_of_a_disabled_menu_pays_and_lifts_nothing():
    data = dataset("saturated_bonus")
    data["policy"]["bonus"]["enabled"] = False
    s = load_scenario(data)
    neutral = status_quo_plan(s)
    lifted = max(data["policy"]["bonus"]["levels"], key=lambda level: level["uplift_pct"])
    named = neutral.model_copy(update={"bonus_levels": (lifted["name"],) * s.periods})
    plain, flagged = simulate(s, neutral), simulate(s, named)
    assert flagged.score == plain.score and flagged.kpis == plain.kpis
    assert [v.rule for v in flagged.violations if v.rule == "bonus"] == ["bonus"] * s.periods
    assert len(flagged.violations) == len(plain.violations) + s.periods


# -- jobs --------------------------------------------------------------------------------------


def test_cancelling_a_finished_job_is_409_with_its_state(client: httpx.Client):
    job = submit(client, dataset("long_cycle_equipment"), time_limit=1)
    done = wait_for(client, job["id"])
    answer = client.post(f"/v1/solves/{job['id']}/cancel")
    assert answer.status_code == 409
    assert done["status"] in answer.json()["detail"]
    assert client.get(f"/v1/solves/{job['id']}").json()["status"] == done["status"]


# -- fuzz: any JSON value, anywhere ------------------------------------------------------------


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=8), children, max_size=4
    )


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    _containers,
    max_leaves=12,
)


def _replace(node: Any, steps: list[int], value: Any) -> None:
    """Put `value` where `steps` lead: each step picks a child (keys sorted, items in order)
    by its index modulo the count; the walk stops at a leaf or an empty container."""
    for i, step in enumerate(steps):
        keys = sorted(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = keys[step % len(keys)]
        child = node[key]
        if i == len(steps) - 1 or not isinstance(child, dict | list) or not child:
            node[key] = value
            return
        node = child


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    steps=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=5),
    value=JSON,
    route=st.sampled_from(["/v1/validate", "/v1/evaluate", "/v1/repair"]),
)
def test_no_json_value_anywhere_gets_a_500(service: Service, steps, value, route):
    """Any JSON value put anywhere in a scenario and its plan: an answer, never a 500."""
    plan = status_quo_plan(load_scenario(dataset("hunter_farmer_split"))).model_dump(mode="json")
    body = {"scenario": dataset("hunter_farmer_split"), "plan": plan, "options": {"time_limit": 1}}
    _replace(body, steps, value)
    with service.client() as c:
        answer = c.post(route, json=body)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json"


# -- figures: one clock, one order -----------------------------------------------------------


def _shuffled_plan_with_a_hire() -> tuple[Scenario, Plan]:
    """The status quo of a scenario with open positions, one position filled (bench), and
    the rows in reverse: the order a file or another tool might hand them in."""
    s = load_dataset("long_cycle_equipment")
    position = s.positions[0].id
    rows = [
        *status_quo_plan(s).assignments,
        *(Assignment(person=position, period=p, role="bench") for p in range(s.periods)),
    ]
    return s, Plan(scenario=s.name, assignments=tuple(reversed(rows)))


def test_every_report_lists_reps_in_roster_order_then_positions() -> None:
    import io
    import re

    from openpyxl import load_workbook

    from optimizer.report.console import schedule_lines
    from optimizer.report.html import render_html
    from optimizer.report.xlsx import xlsx_bytes

    s, plan = _shuffled_plan_with_a_hire()
    expected = [r.id for r in s.reps] + [s.positions[0].id]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(s, plan)))["Schedule"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == expected
    assert [line.split()[0] for line in schedule_lines(s, plan)[1:]] == expected
    page = render_html(s, plan, simulate(s, plan), None)
    chart = page[page.index("schedule-chart") :]
    labels = re.findall(r"<text x='4' y='\d+'>([^ <]+)", chart)
    assert labels[: len(expected)] == expected


def test_a_job_summary_and_its_plan_tell_the_same_solve_time() -> None:
    from optimizer.report.html import render_html
    from optimizer.solve import SolveOptions, solve
    from optimizer.summary import solve_answer

    s = load_dataset("long_cycle_equipment")
    result = solve(s, SolveOptions.reproducible(0.5))
    answer = solve_answer(s, result)
    assert answer.plan.solve_seconds is not None
    assert answer.summary["solve_seconds"] == answer.plan.solve_seconds == round(result.seconds, 3)
    page = render_html(s, answer.plan, result.evaluation, None)
    assert f"{answer.plan.solve_seconds:.1f} s" in page
