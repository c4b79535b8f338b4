"""The planning service through a real `ledokol serve` process on localhost, with httpx."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from service import KEY_A, KEY_B, KEY_CAPPED, Service, dataset, submit, wait_for

from optimizer.plan import Plan
from optimizer.scenario import load_scenario
from optimizer.simulate import simulate

SMALL = "long_cycle_equipment"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("service")
    svc = Service(root / "data").start()
    yield svc
    svc.stop()


@pytest.fixture
def client(service: Service) -> Iterator[httpx.Client]:
    with service.client() as c:
        yield c


def running_with_progress(job: dict) -> bool:
    return job["status"] != "queued" and (
        job["status"] != "running" or (job["progress"] or {}).get("score") is not None
    )


def test_whole_flow_plan_csv_xlsx_report(client: httpx.Client) -> None:
    data = dataset(SMALL)
    job = submit(client, data, time_limit=5)
    assert job["status"] == "queued"
    assert job["solver_status"] is None
    done = wait_for(client, job["id"])
    assert done["status"] == "succeeded", done
    assert done["solver_status"] in ("OPTIMAL", "FEASIBLE")
    assert done["solver"]["parameters"]["workers"] >= 1
    assert done["summary"]["score"] is not None
    assert set(done["links"]) >= {"plan", "csv", "xlsx", "report"}

    plan = Plan.model_validate(client.get(f"/v1/solves/{job['id']}/plan").json())
    scenario = load_scenario(data)
    ev = simulate(scenario, plan)
    assert ev.violations == ()
    assert ev.score == plan.score == done["summary"]["score"]

    response = client.get(f"/v1/solves/{job['id']}/plan.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(plan.assignments)
    assert {r["person"] for r in rows} == {a.person for a in plan.assignments}

    response = client.get(f"/v1/solves/{job['id']}/plan.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Schedule", "Bonus", "Monthly", "Territories", "Targets"]
    assert book["Schedule"].max_row == 1 + len({a.person for a in plan.assignments})

    response = client.get(f"/v1/solves/{job['id']}/report")
    assert response.headers["content-type"].startswith("text/html")
    assert "id='schedule-chart'" in response.text
    assert "http://" not in response.text.replace("http://www.w3.org/2000/svg", "")


def test_submit_answers_with_location_and_stored_job(client: httpx.Client) -> None:
    response = client.post(
        "/v1/solves", json={"scenario": dataset(SMALL), "options": {"time_limit": 1}}
    )
    assert response.status_code == 202
    location = response.headers["location"]
    assert location == f"/v1/solves/{response.json()['id']}"
    assert client.get(location).status_code == 200
    wait_for(client, response.json()["id"])


def test_idempotency_key_returns_the_same_job_also_in_a_race(client: httpx.Client) -> None:
    body = {"scenario": dataset(SMALL), "options": {"time_limit": 1}}
    first = client.post("/v1/solves", json=body, headers={"Idempotency-Key": "once"})
    again = client.post("/v1/solves", json=body, headers={"Idempotency-Key": "once"})
    assert first.json()["id"] == again.json()["id"]

    ids: list[str] = []
    url = str(client.base_url)

    def post() -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": KEY_A}, timeout=30) as c:
            r = c.post("/v1/solves", json=body, headers={"Idempotency-Key": "race"})
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 8
    assert len(set(ids)) == 1
    listed = client.get("/v1/solves", params={"limit": 100}).json()["items"]
    assert sum(1 for j in listed if j["id"] == ids[0]) == 1
    wait_for(client, ids[0])
    wait_for(client, first.json()["id"])


def test_cancel_keeps_the_best_plan_found(client: httpx.Client) -> None:
    job = submit(client, dataset("crimea"), time_limit=120)
    wait_for(client, job["id"], running_with_progress)
    response = client.post(f"/v1/solves/{job['id']}/cancel")
    assert response.status_code == 202
    assert response.json()["cancel_requested"] is True
    # cancelled, not run out: a job that ignored the cancel would succeed after 120 s (how
    # fast a cancel answers is a benchmark: benchmarks/pipeline_study's cancel latency)
    done = wait_for(client, job["id"], timeout=600)
    assert done["status"] == "cancelled"
    assert done["solver_status"] in ("FEASIBLE", "OPTIMAL")
    plan = Plan.model_validate(client.get(f"/v1/solves/{job['id']}/plan").json())
    assert simulate(load_scenario(dataset("crimea")), plan).violations == ()


def test_cancel_a_queued_job_at_once(service: Service) -> None:
    with service.client() as c:
        long = submit(c, dataset("crimea"), time_limit=60)
        queued = submit(c, dataset(SMALL), time_limit=1)
        response = c.post(f"/v1/solves/{queued['id']}/cancel")
        assert response.json()["status"] == "cancelled"
        assert c.get(f"/v1/solves/{queued['id']}/plan").status_code == 409
        c.post(f"/v1/solves/{long['id']}/cancel")
        wait_for(c, long["id"])


def test_events_stream_progress_then_status(client: httpx.Client) -> None:
    job = submit(client, dataset(SMALL), time_limit=3)
    kinds = []
    with client.stream("GET", f"/v1/solves/{job['id']}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kinds.append(line.removeprefix("event: "))
            if line.startswith("data: ") and kinds[-1] == "status":
                final = json.loads(line.removeprefix("data: "))
                break
    assert kinds[-1] == "status"
    assert final["status"] == "succeeded"
    assert all(k == "progress" for k in kinds[:-1])


def test_keys_are_required_and_jobs_are_private(service: Service) -> None:
    with service.client(key=None) as anonymous:
        response = anonymous.get("/v1/solves")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "X-API-Key"
    with service.client(key="not-a-key") as stranger:
        assert stranger.get("/v1/solves").status_code == 401
    with service.client(KEY_A) as a, service.client(KEY_B) as b:
        job = submit(a, dataset(SMALL), time_limit=1)
        assert b.get(f"/v1/solves/{job['id']}").status_code == 404
        assert b.get(f"/v1/solves/{job['id']}/plan").status_code == 404
        assert b.post(f"/v1/solves/{job['id']}/cancel").status_code == 404
        assert b.delete(f"/v1/solves/{job['id']}").status_code == 404
        assert all(j["id"] != job["id"] for j in b.get("/v1/solves").json()["items"])
        wait_for(a, job["id"])
    assert KEY_A not in service.log.read_text()


def test_problem_json_names_the_field(client: httpx.Client) -> None:
    bad = dataset(SMALL)
    bad["reps"][0]["home"] = "NOWHERE"
    response = client.post("/v1/solves", json={"scenario": bad})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(f.startswith(f"scenario.reps[{bad['reps'][0]['id']}].home") for f in fields), fields

    strict = client.post(
        "/v1/solves", json={"scenario": dataset(SMALL), "options": {"time_limit": False}}
    )
    assert strict.status_code == 422
    assert [e["field"] for e in strict.json()["errors"]] == ["options.time_limit"]

    unknown = client.post(
        "/v1/solves", json={"scenario": dataset(SMALL), "options": {"timelimit": 5}}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "options.timelimit"

    missing = client.get("/v1/solves/no-such-job")
    assert missing.status_code == 404
    assert missing.json()["status"] == 404

    not_json = client.post(
        "/v1/solves", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    assert not_json.headers["content-type"] == "application/problem+json"
    assert "not a JSON document" in not_json.json()["detail"]


def test_time_limit_is_capped_per_key(service: Service) -> None:
    with service.client(KEY_CAPPED) as capped:
        response = capped.post(
            "/v1/solves", json={"scenario": dataset(SMALL), "options": {"time_limit": 5}}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "options.time_limit"
        ok = submit(capped, dataset(SMALL), time_limit=2)
        assert wait_for(capped, ok["id"])["status"] == "succeeded"


def test_body_limit_holds_for_declared_and_chunked_bodies(service: Service) -> None:
    big = b'{"scenario": {"name": "' + b"x" * (11 * 1024 * 1024) + b'"}}'
    with service.client() as c:
        declared = c.post("/v1/solves", content=big, headers={"content-type": "application/json"})
        assert declared.status_code == 413
        assert declared.headers["content-type"] == "application/problem+json"

        def chunks() -> Iterator[bytes]:
            for start in range(0, len(big), 64 * 1024):
                yield big[start : start + 64 * 1024]

        chunked = c.post(
            "/v1/solves", content=chunks(), headers={"content-type": "application/json"}
        )
        assert chunked.status_code == 413


def test_delete_removes_only_finished_jobs(client: httpx.Client) -> None:
    job = submit(client, dataset("crimea"), time_limit=60)
    wait_for(client, job["id"], lambda j: j["status"] == "running")
    assert client.delete(f"/v1/solves/{job['id']}").status_code == 409
    client.post(f"/v1/solves/{job['id']}/cancel")
    wait_for(client, job["id"])
    assert client.delete(f"/v1/solves/{job['id']}").status_code == 204
    assert client.get(f"/v1/solves/{job['id']}").status_code == 404


def test_list_is_paginated(client: httpx.Client) -> None:
    page = client.get("/v1/solves", params={"limit": 2, "offset": 0}).json()
    assert page["limit"] == 2
    assert len(page["items"]) <= 2
    assert page["total"] >= len(page["items"])
    assert client.get("/v1/solves", params={"limit": 0}).status_code == 422


def test_validate_lists_every_error(client: httpx.Client) -> None:
    assert client.post("/v1/validate", json={"scenario": dataset(SMALL)}).json() == {
        "valid": True,
        "errors": [],
    }
    bad = dataset(SMALL)
    bad["territories"][0]["accounts"] = -3
    bad["territories"][1]["win_share_pct"] = 150
    answer = client.post("/v1/validate", json={"scenario": bad}).json()
    assert answer["valid"] is False
    fields = {e["field"] for e in answer["errors"]}
    first, second = (t["id"] for t in bad["territories"][:2])
    assert fields == {
        f"scenario.territories[{first}].accounts",
        f"scenario.territories[{second}].win_share_pct",
    }


def test_evaluate_a_hand_made_plan_with_violations(client: httpx.Client) -> None:
    data = dataset(SMALL)
    scenario = load_scenario(data)
    rows = [
        {"person": r.id, "period": p, "role": "farmer", "territory": scenario.territories[0].id}
        for r in scenario.reps
        for p in range(scenario.periods)
    ]
    response = client.post("/v1/evaluate", json={"scenario": data, "plan": {"assignments": rows}})
    assert response.status_code == 200
    answer = response.json()
    expected = simulate(scenario, Plan.model_validate({"assignments": rows}))
    assert answer["feasible"] is False
    assert answer["score"] == expected.score
    assert len(answer["violations"]) == len(expected.violations) > 0
    assert {v["rule"] for v in answer["violations"]} == {v.rule for v in expected.violations}

    broken = client.post("/v1/evaluate", json={"scenario": data, "plan": {"rows": []}})
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["field"].startswith("plan")


def test_reproducible_option_gives_the_same_plan(client: httpx.Client) -> None:
    data = dataset("rotation_distributor")
    plans = []
    for _ in range(2):
        job = submit(client, data, time_limit=2, reproducible=True)
        done = wait_for(client, job["id"])
        assert done["solver"]["parameters"]["workers"] == 1
        plans.append(client.get(f"/v1/solves/{job['id']}/plan").json())
    assert plans[0]["assignments"] == plans[1]["assignments"]
    assert plans[0]["score"] == plans[1]["score"]


def test_a_dead_solve_process_fails_its_job_and_the_service_stays_up(client: httpx.Client) -> None:
    job = submit(client, dataset("crimea"), time_limit=60)
    running = wait_for(client, job["id"], running_with_progress)
    os.kill(running["solver"]["pid"], signal.SIGKILL)
    done = wait_for(client, job["id"], timeout=30)
    assert done["status"] == "failed"
    assert "SIGKILL" in done["error"]
    # the checked warm start was stored before the first score was reported: it is kept
    assert done["solver_status"] == "FEASIBLE" and "best plan so far is kept" in done["error"]
    kept = Plan.model_validate(client.get(f"/v1/solves/{job['id']}/plan").json())
    assert kept.status == "FEASIBLE" and not kept.violations and kept.assignments
    assert client.get("/readyz").status_code == 200
    again = submit(client, dataset(SMALL), time_limit=1)
    assert wait_for(client, again["id"])["status"] == "succeeded"


def test_health(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"


def test_a_full_queue_answers_429_with_retry_after(tmp_path: Path) -> None:
    svc = Service(tmp_path / "data", env={"LEDOKOL_MAX_QUEUED": "1"}).start()
    try:
        with svc.client() as c:
            first = submit(c, dataset("crimea"), time_limit=60)
            wait_for(c, first["id"], lambda j: j["status"] == "running")
            second = submit(c, dataset(SMALL), time_limit=1)
            full = c.post("/v1/solves", json={"scenario": dataset(SMALL)})
            assert full.status_code == 429
            assert int(full.headers["retry-after"]) > 0
            assert full.headers["content-type"] == "application/problem+json"
            for job in (first, second):
                c.post(f"/v1/solves/{job['id']}/cancel")
    finally:
        svc.stop()


def test_killing_the_service_loses_no_job(tmp_path: Path) -> None:
    svc = Service(tmp_path / "data").start()
    try:
        with svc.client() as c:
            jobs = [submit(c, dataset(SMALL), time_limit=4) for _ in range(3)]
            running = wait_for(c, jobs[0]["id"], lambda j: j["solver"] is not None)
            pid = running["solver"]["pid"]
        svc.kill()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        assert not _alive(pid), "a solve process outlived its killed service"
        svc.start()
        with svc.client() as c:
            for job in jobs:
                done = wait_for(c, job["id"])
                assert done["status"] == "succeeded", done
                assert done["solver_status"] in ("OPTIMAL", "FEASIBLE")
            assert c.get(f"/v1/solves/{jobs[0]['id']}").json()["attempts"] == 2
    finally:
        svc.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def test_a_solve_over_its_memory_limit_fails_with_the_reason(tmp_path: Path) -> None:
    svc = Service(tmp_path / "data", env={"LEDOKOL_MEMORY_LIMIT_MB": "64"}).start()
    try:
        with svc.client() as c:
            job = submit(c, dataset("crimea"), time_limit=10)
            done = wait_for(c, job["id"], timeout=60)
            assert done["status"] == "failed"
            assert done["error"] == "out of memory (limit 64 MB)"
            assert c.get("/readyz").status_code == 200
    finally:
        svc.stop()


def test_compare_job_ranks_levers_and_reports_them(client: httpx.Client) -> None:
    """POST /v1/compare: a job like a solve; the summary ranks every combination, the plan is
    the best one's (checked under its own levers) and the report shows the levers."""
    from optimizer.compare import charged, variant

    data = dataset(SMALL)
    data["policy"]["bonus"] = {
        "enabled": True,
        "levels": [
            {"name": "none", "per_client": 0, "uplift_pct": 100},
            {"name": "high", "per_client": 20000, "uplift_pct": 150},
        ],
    }
    wrong = client.post("/v1/compare", json={"scenario": data, "options": {"levers": ["rotation"]}})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "options.levers"
    response = client.post("/v1/compare", json={"scenario": data, "options": {"time_limit": 12}})
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["Location"] == f"/v1/solves/{job['id']}"
    done = wait_for(client, job["id"])
    assert done["status"] == "succeeded", done
    comparison = done["summary"]["comparison"]
    assert comparison["levers"] == ["bonus", "hiring"]
    assert len(comparison["ranked"]) == 4
    assert done["progress"]["combinations"] == 4 and done["progress"]["solutions"] >= 4
    scores = [c["score"] for c in comparison["ranked"]]
    assert scores == sorted(scores, reverse=True)
    plan = Plan.model_validate(client.get(f"/v1/solves/{job['id']}/plan").json())
    s = load_scenario(data)
    best = charged(s, variant(s, comparison["ranked"][0]["levers"], comparison["levers"]))
    ev = simulate(best, plan)
    assert ev.violations == () and ev.score == scores[0] == done["summary"]["score"]
    report = client.get(f"/v1/solves/{job['id']}/report").text
    assert "id='levers'" in report and comparison["recommendation"][:20] in report


def test_replan_job_rolls_forward_and_lists_the_changes(client: httpx.Client) -> None:
    from optimizer.datasets import DATASETS_DIR

    example = DATASETS_DIR / "replan"
    body = {
        "scenario": dataset("crimea"),
        "baseline": json.loads((example / "crimea-plan-2027-01.json").read_text()),
        "actuals": json.loads((example / "crimea-actuals-2027-04.json").read_text()),
        "options": {"freeze": 1, "change_cost": 20000, "time_limit": 8, "reproducible": True},
    }
    wrong = dict(body, actuals={"territories": {"XXX": {"accounts": 1}}})
    response = client.post("/v1/replan", json=wrong)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "actuals.territories.XXX"
    response = client.post("/v1/replan", json=body)
    assert response.status_code == 202, response.text
    job = response.json()
    assert "hint" not in job["options"]
    done = wait_for(client, job["id"])
    assert done["status"] == "succeeded", done
    changes = done["summary"]["changes"]
    assert any(c["why"] == "now on leave" and c["person"] == "r10" for c in changes)
    plan = Plan.model_validate(client.get(f"/v1/solves/{job['id']}/plan").json())
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert "r05" not in {a.person for a in plan.assignments}  # he left


def test_repair_mends_a_hand_made_plan(client: httpx.Client) -> None:
    """POST /v1/repair: the status quo of crimea breaks rules; the answer keeps them all and
    lists each changed cell; a plan of another scenario is a 422 naming the plan."""
    data = dataset("crimea")
    status_quo = client.post("/v1/evaluate", json={"scenario": data, "plan": _status_quo(data)})
    assert status_quo.status_code == 200 and not status_quo.json()["feasible"]
    body = {"scenario": data, "plan": _status_quo(data), "options": {"time_limit": 20}}
    response = client.post("/v1/repair", json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["status"] == "FEASIBLE" and out["violations_before"] > 0 and out["changes"]
    plan = Plan.model_validate(out["plan"])
    assert plan.status == "FEASIBLE" and not plan.violations
    foreign = {"assignments": [{"person": "zz", "period": 99, "role": "bench"}]}
    for route in ("/v1/repair", "/v1/evaluate"):
        response = client.post(route, json={"scenario": data, "plan": foreign})
        assert response.status_code == 422, (route, response.text)
        assert response.json()["errors"][0]["field"].startswith("plan")


def _status_quo(data: dict) -> dict:
    from optimizer.scenario import load_scenario
    from optimizer.status_quo import status_quo_plan

    return status_quo_plan(load_scenario(data)).model_dump(mode="json")


def test_cancel_a_large_awkward_job_stops_it_with_its_plan(client: httpx.Client) -> None:
    """An 80-rep awkward scenario (greedy breaks rules: repair, then the neighbourhood search)
    cancelled while it searches: it stops by itself — never killed — and keeps a checked plan."""
    from optimizer.awkward import awkward_data

    data, _ = awkward_data(80, 30, 12, seed=7)
    job = submit(client, data, time_limit=120)
    wait_for(client, job["id"], running_with_progress)
    assert client.post(f"/v1/solves/{job['id']}/cancel").status_code == 202
    done = wait_for(client, job["id"], timeout=60)
    assert done["status"] == "cancelled" and done["error"] is None, done
    assert done["solver_status"] in ("FEASIBLE", "OPTIMAL")
    plan = Plan.model_validate(client.get(f"/v1/solves/{job['id']}/plan").json())
    assert simulate(load_scenario(data), plan).violations == ()


def test_scenario_workbooks_round_trip_through_the_service(client: httpx.Client) -> None:
    """GET the template, POST it back: the scenario JSON; a workbook of a dataset reads back
    as the dataset; a broken cell is a 422 naming sheet and cell."""
    import io

    from openpyxl import load_workbook

    from optimizer.workbook import example_scenario

    template = client.get("/v1/template.xlsx")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    xlsx = {"content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    back = client.post("/v1/scenario.json", content=template.content, headers=xlsx)
    assert back.status_code == 200, back.text
    assert load_scenario(back.json()["scenario"]) == example_scenario()

    made = client.post("/v1/template.xlsx", json={"scenario": dataset(SMALL)})
    assert made.status_code == 200
    again = client.post("/v1/scenario.json", content=made.content, headers=xlsx)
    assert load_scenario(again.json()["scenario"]) == load_scenario(dataset(SMALL))

    wb = load_workbook(io.BytesIO(template.content))
    wb["reps"]["C3"] = "KRR"
    broken = io.BytesIO()
    wb.save(broken)
    refused = client.post("/v1/scenario.json", content=broken.getvalue(), headers=xlsx)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    errors = refused.json()["errors"]
    assert {"field": "workbook.reps!C3", "message": "unknown territory 'KRR'"} in errors
    junk = client.post("/v1/scenario.json", content=b"PK not really", headers=xlsx)
    assert junk.status_code == 422


def test_why_prices_the_alternatives_of_a_cell(client: httpx.Client) -> None:
    """POST /v1/why: the plan's own cell, every other state priced or forbidden with its
    rule; an unknown person is a 422 naming the field."""
    data = dataset("rotation_distributor")
    job = submit(client, data, time_limit=2, reproducible=True)
    assert wait_for(client, job["id"])["status"] == "succeeded"
    plan = client.get(f"/v1/solves/{job['id']}/plan").json()
    body = {"scenario": data, "plan": plan, "person": "h1", "period": 4}
    answer = client.post("/v1/why", json={**body, "options": {"time_limit": 20}})
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert out["score"] == plan["score"]
    statuses = [a["status"] for a in out["alternatives"]]
    assert statuses.count("plan") == 1 and "impossible" in statuses
    for a in out["alternatives"]:
        if a["status"] == "priced":
            assert a["delta"] == a["score"] - out["score"] == sum(a["terms"].values())
        if a["status"] == "impossible":
            assert a["reason"]
    wrong = client.post("/v1/why", json={**body, "person": "zz"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "person"


def test_diff_compares_two_plans(client: httpx.Client) -> None:
    from optimizer.greedy import greedy_plan
    from optimizer.status_quo import status_quo_plan

    data = dataset("rotation_distributor")
    s = load_scenario(data)
    a = status_quo_plan(s).model_dump(mode="json")
    b = greedy_plan(s).model_dump(mode="json")
    answer = client.post("/v1/diff", json={"scenario": data, "a": a, "b": b})
    assert answer.status_code == 200, answer.text
    out = answer.json()
    profit = next(k for k in out["kpis"] if k["kpi"] == "profit")
    assert profit["b"] == simulate(s, greedy_plan(s)).kpis.profit
    assert out["changes"]
    against_quo = client.post("/v1/diff", json={"scenario": data, "b": b})  # no a: the status quo
    assert against_quo.status_code == 200 and against_quo.json() == out
    foreign = {"assignments": [{"person": "zz", "period": 99, "role": "bench"}]}
    refused = client.post("/v1/diff", json={"scenario": data, "a": a, "b": foreign})
    assert refused.status_code == 422


def test_plans_and_evaluations_carry_the_chances(client: httpx.Client) -> None:
    """A scenario with an uncertainty block: the solved plan and the evaluation of a plan by
    hand both carry each target's chances and the company's figures (spec section 8)."""
    data = dataset("uncertain_bonus")
    job = submit(client, data, time_limit=2, reproducible=True)
    done = wait_for(client, job["id"])
    assert done["status"] == "succeeded", done
    plan = Plan.model_validate(client.get(f"/v1/solves/{job['id']}/plan").json())
    assert plan.attainment is not None and plan.attainment.samples == 2000
    assert all(t.p_both is not None for t in plan.targets)
    again = simulate(load_scenario(data), plan).apply_to(plan)
    assert again.attainment == plan.attainment  # the same plan, block and seed
    answer = client.post("/v1/evaluate", json={"scenario": data, "plan": plan.model_dump()})
    assert answer.status_code == 200
    body = answer.json()
    assert body["attainment"] == plan.attainment.model_dump(mode="json")
    assert [t["p_both"] for t in body["targets"]] == [t.p_both for t in plan.targets]
    plain = client.post(
        "/v1/evaluate",
        json={"scenario": {**data, "uncertainty": None}, "plan": plan.model_dump()},
    ).json()
    assert plain["attainment"] is None and plain["targets"][0]["p_both"] is None
