"""Load on the planning service: 50 concurrent clients submit small scenarios and poll them
for 60 s against a real `ledokol serve` on localhost (embedded SQLite, one solve at a time).

Measures p50/p99 latency of submit and status calls, jobs finished per minute, 5xx answers
and lost jobs (submitted but neither finished nor still known at the end); then how long a
cancel takes to be answered with a plan and how far a solve runs past its time limit.
Writes `results/api_load.json`.

    .venv/bin/python benchmarks/load_api.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from service import KEY_A, Service, dataset  # noqa: E402

OUT = HERE / "results" / "api_load.json"
SCENARIO = "long_cycle_equipment"
ARRIVAL_SECONDS = 5.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def client_loop(
    http: httpx.AsyncClient,
    body: dict,
    until: float,
    stats: dict,
    submitted: list[str],
    delay: float,
) -> None:
    await asyncio.sleep(delay)  # clients arrive over the first seconds, not in one instant
    while time.monotonic() < until:
        t = time.perf_counter()
        r = await http.post("/v1/solves", json=body)
        stats["submit"].append(time.perf_counter() - t)
        stats["codes"].append(r.status_code)
        if r.status_code != 202:
            await asyncio.sleep(float(r.headers.get("retry-after", 1)))
            continue
        job_id = r.json()["id"]
        submitted.append(job_id)
        while time.monotonic() < until:
            await asyncio.sleep(0.5)
            t = time.perf_counter()
            r = await http.get(f"/v1/solves/{job_id}")
            stats["status"].append(time.perf_counter() - t)
            stats["codes"].append(r.status_code)
            if r.json()["status"] in ("succeeded", "failed", "cancelled"):
                break


async def load(url: str, clients: int, seconds: float) -> dict:
    body = {"scenario": dataset(SCENARIO), "options": {"time_limit": 1}}
    stats: dict[str, list] = {"submit": [], "status": [], "codes": []}
    submitted: list[str] = []
    limits = httpx.Limits(max_connections=clients + 5)
    async with httpx.AsyncClient(
        base_url=url, headers={"X-API-Key": KEY_A}, timeout=60, limits=limits
    ) as http:
        until = time.monotonic() + seconds
        await asyncio.gather(
            *(
                client_loop(http, body, until, stats, submitted, ARRIVAL_SECONDS * i / clients)
                for i in range(clients)
            )
        )
        finished = lost = 0
        for job_id in submitted:
            r = await http.get(f"/v1/solves/{job_id}")
            if r.status_code != 200:
                lost += 1
            elif r.json()["status"] in ("succeeded", "failed", "cancelled"):
                finished += 1
    return {
        "clients": clients,
        "seconds": seconds,
        "submitted": len(submitted),
        "finished": finished,
        "lost": lost,
        "jobs_per_minute": round(finished / seconds * 60, 1),
        "server_errors": sum(1 for c in stats["codes"] if c >= 500),
        "rejected_429": sum(1 for c in stats["codes"] if c == 429),
        "submit_calls": len(stats["submit"]),
        "status_calls": len(stats["status"]),
        "submit_p50_ms": round(statistics.median(stats["submit"]) * 1000, 1),
        "submit_p99_ms": round(percentile(stats["submit"], 99) * 1000, 1),
        "status_p50_ms": round(statistics.median(stats["status"]) * 1000, 1),
        "status_p99_ms": round(percentile(stats["status"], 99) * 1000, 1),
    }


def wait(http: httpx.Client, job_id: str, done) -> dict:  # type: ignore[no-untyped-def]
    while True:
        job = http.get(f"/v1/solves/{job_id}").json()
        if done(job):
            return job
        time.sleep(0.02)


def finished(job: dict) -> bool:
    return job["status"] in ("succeeded", "failed", "cancelled")


def limits(url: str) -> dict:
    """Cancel latency and time-limit overshoot on the flagship dataset."""
    crimea = dataset("crimea")
    with httpx.Client(base_url=url, headers={"X-API-Key": KEY_A}, timeout=60) as http:
        job = http.post("/v1/solves", json={"scenario": crimea, "options": {"time_limit": 60}})
        job_id = job.json()["id"]
        wait(http, job_id, lambda j: (j["progress"] or {}).get("score") is not None)
        asked = time.perf_counter()
        http.post(f"/v1/solves/{job_id}/cancel")
        done = wait(http, job_id, finished)
        cancel_s = time.perf_counter() - asked
        overshoot = []
        for limit in (2, 5, 10):
            r = http.post("/v1/solves", json={"scenario": crimea, "options": {"time_limit": limit}})
            solved = wait(http, r.json()["id"], finished)
            overshoot.append(
                {
                    "time_limit": limit,
                    "solve_seconds": solved["summary"]["solve_seconds"],
                    "status": solved["solver_status"],
                }
            )
    return {
        "cancel_answered_s": round(cancel_s, 2),
        "cancelled_with_plan": done["solver_status"] in ("OPTIMAL", "FEASIBLE"),
        "time_limits": overshoot,
    }


def drain(url: str) -> None:
    """Cancel what the load left queued or running, and wait until every job has finished."""
    with httpx.Client(base_url=url, headers={"X-API-Key": KEY_A}, timeout=60) as http:
        offset, open_jobs = 0, []
        while True:
            page = http.get("/v1/solves", params={"limit": 100, "offset": offset}).json()
            open_jobs += [j["id"] for j in page["items"] if not finished(j)]
            offset += len(page["items"])
            if offset >= page["total"] or not page["items"]:
                break
        for job_id in open_jobs:
            http.post(f"/v1/solves/{job_id}/cancel")
        for job_id in open_jobs:
            wait(http, job_id, finished)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Path(tmp) / "data").start()
        try:
            result = asyncio.run(load(svc.url, args.clients, args.seconds))
            drain(svc.url)
            result.update(limits(svc.url))
        finally:
            svc.stop()
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
