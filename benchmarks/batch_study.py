"""Batch throughput: 20 size-M regional scenarios on the local pool and on a local Ray instance.

    .venv/bin/python benchmarks/batch_study.py      (run.py --batch; writes results/batch.json)

Same scenarios (generator M, seeds 101-120), same time per scenario, 2 processes x 1 CP-SAT
worker each way, one executor at a time. The overhead Ray adds per task is the difference in
wall time spread over the tasks (each side also starts its workers once; that start is
measured apart).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from optimizer.batch import SOLVED, run_batch  # noqa: E402
from optimizer.generate import generate_data  # noqa: E402

OUT = HERE / "results" / "batch.json"
SCENARIOS = 20
SECONDS = 10.0  # per scenario
PROCESSES = 2


def main() -> dict:
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "regions"
        folder.mkdir()
        for k in range(SCENARIOS):
            data = generate_data(80, 30, 12, 101 + k, name=f"region-M-{k + 1:02d}")
            (folder / f"region-M-{k + 1:02d}.json").write_text(json.dumps(data))
        for executor in ("local", "ray"):
            if executor == "ray":
                import ray

                started = time.monotonic()
                ray.init(num_cpus=PROCESSES, include_dashboard=False, log_to_driver=False)
                ray_start = time.monotonic() - started
            started = time.monotonic()
            result = run_batch(
                str(folder),
                Path(tmp) / f"out-{executor}",
                executor=executor,
                time_limit=SECONDS,
                workers=1,
                processes=PROCESSES,
            )
            wall = time.monotonic() - started
            solves = [r["seconds"] for r in result.records]
            rows[executor] = {
                "scenarios": len(result.records),
                "solved": sum(r["status"] in SOLVED for r in result.records),
                "wall_s": round(wall, 1),
                "per_minute": round(len(result.records) / wall * 60, 2),
                "mean_solve_s": round(sum(solves) / len(solves), 2),
                "ray_init_s": round(ray_start, 1) if executor == "ray" else None,
            }
            print(f"batch {executor}: {rows[executor]}", flush=True)
            if executor == "ray":
                ray.shutdown()
    overhead = (rows["ray"]["wall_s"] - rows["local"]["wall_s"]) * PROCESSES / SCENARIOS
    out = {
        "time_limit": SECONDS,
        "processes": PROCESSES,
        "executors": rows,
        "ray_overhead_per_task_s": round(overhead, 2),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":
    main()
