"""The quarterly batch: many scenarios on the local pool or a real local Ray instance,
resumable after an interruption, a broken scenario isolated and recorded."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli import LEDOKOL

from optimizer.batch import run_batch
from optimizer.datasets import dataset_path
from optimizer.plan import Plan
from optimizer.scenario import load_scenario
from optimizer.simulate import simulate

SMALL = ("long_cycle_equipment", "saturated_bonus", "unrealistic_goals")


def regions(tmp_path: Path, broken: bool = True) -> Path:
    folder = tmp_path / "regions"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(dataset_path(name), folder / f"{name}.json")
    if broken:
        data = json.loads(dataset_path("saturated_bonus").read_text())
        data["reps"][0]["home"] = "NOWHERE"
        (folder / "broken.json").write_text(json.dumps(data))
    return folder


def check_solved(folder: Path, out: Path, names: tuple[str, ...]) -> None:
    for name in names:
        s = load_scenario(folder / f"{name}.json")
        plan = Plan.model_validate_json((out / f"{name}.plan.json").read_text())
        ev = simulate(s, plan)
        assert ev.feasible and ev.score == plan.score
        assert (out / f"{name}.report.html").read_text().startswith("<!DOCTYPE html>")


def test_local_batch_isolates_a_broken_scenario_and_writes_the_summary(tmp_path: Path):
    folder = regions(tmp_path)
    out = tmp_path / "out"
    seen = []
    result = run_batch(
        str(folder), out, time_limit=3, processes=2, progress=lambda d, t, r: seen.append(d)
    )
    by = {r["name"]: r for r in result.records}
    assert by["broken"]["status"] == "failed"
    assert "reps[" in by["broken"]["error"] and "NOWHERE" in by["broken"]["error"]
    assert all(by[n]["status"] in ("OPTIMAL", "FEASIBLE") for n in SMALL)
    assert result.solved_now == 3 and result.failed == 1 and seen == [1, 2, 3, 4]
    check_solved(folder, out, SMALL)
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [r["name"] for r in rows] == ["broken", *sorted(SMALL)]
    index = (out / "index.html").read_text()
    assert "3 of 4 scenarios solved" in index and "saturated_bonus.report.html" in index


def test_batch_resumes_after_an_interruption(tmp_path: Path):
    """Killed after its first answer, the batch run again solves only what is left."""
    folder = regions(tmp_path, broken=False)
    out = tmp_path / "out"
    command = [LEDOKOL, "batch", str(folder), "--out", str(out), "--time-limit", "4"]
    first = subprocess.Popen(
        [*command, "--processes", "1"], start_new_session=True, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while not list(out.glob("*.result.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.result.json")}
    assert 1 <= len(done_before) < len(SMALL)
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{len(done_before)} done before" in again.stdout
    for name, mtime in done_before.items():
        assert (out / name).stat().st_mtime_ns == mtime  # not solved again
    check_solved(folder, out, SMALL)


def test_a_rerun_with_other_options_or_an_edited_file_solves_again(tmp_path: Path):
    """Each answer records the options and the file it came from: the same again is skipped,
    another time limit or an edited scenario is solved again, and the output says so."""
    folder = tmp_path / "regions"
    folder.mkdir()
    for name in SMALL[:2]:
        shutil.copy(dataset_path(name), folder / f"{name}.json")
    out = tmp_path / "out"

    def run(limit: str) -> str:
        command = [LEDOKOL, "batch", str(folder), "--out", str(out), "--time-limit", limit]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "terminate called" not in done.stdout + done.stderr
        return done.stdout

    run("1")
    assert "(0 now, 2 done before" in run("1")
    assert "(2 now, 2 of them solved again: other options or an edited file" in run("2")
    record = json.loads((out / f"{SMALL[0]}.result.json").read_text())
    assert record["options"] == {"time_limit": 2.0, "seed": 0, "workers": 1}
    edited = folder / f"{SMALL[1]}.json"
    edited.write_text(edited.read_text() + "\n")
    assert "(1 now, 1 of them solved again" in run("2")


def test_a_worker_that_leaves_a_native_thread_behind_still_answers():
    """A HiGHS LP still running in a worker when it exits: the answer arrives, the pool
    closes, nothing aborts (`leave_native_threads`)."""
    script = Path(__file__).with_name("native_worker.py")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["[1]", "closed"]
    assert "terminate called" not in done.stderr


def test_a_local_pool_waits_for_every_answer_without_a_deadline_and_keeps_one_given():
    from native_worker import Sleeps

    from optimizer.deadline import Deadline
    from optimizer.search.parallel import LocalExecutor

    pool = LocalExecutor(2, Sleeps, ())
    try:
        assert pool.run([(1, 0.5), (2, 0.0), (3, 0.5)]) == [1, 2, 3]
        # a deadline that passes first: None for what still runs, every answer in on time kept
        late = pool.run([(4, 0.0), (5, 600.0)], Deadline.after(10.0))
        assert late == [4, None]
    finally:
        pool.close(wait=False)


@pytest.fixture
def ray_instance():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_batch_on_a_local_instance(tmp_path: Path, ray_instance):
    folder = regions(tmp_path)
    out = tmp_path / "out"
    result = run_batch(str(folder), out, executor="ray", time_limit=3, processes=2)
    by = {r["name"]: r["status"] for r in result.records}
    assert by.pop("broken") == "failed"
    assert set(by.values()) <= {"OPTIMAL", "FEASIBLE"}
    check_solved(folder, out, SMALL)
