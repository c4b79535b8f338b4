"""Section 8 against issue 17's goals: 2,000 noisy samples of crimea's plan under 1 s, of 400
reps under 10 s, of 1,500 reps under 30 s with peak memory under 2 GiB; and how the time grows
with samples and with people.

    .venv/bin/python benchmarks/attainment_study.py   (run.py --attainment; results/attainment.json)

Each plan is the greedy plan of the instance (the analysis does not depend on how good the plan
is, only on its size); the time is `simulate(...).apply_to(plan)`'s attainment part alone: the
noisy course, each target row's chances and the company's figures (`optimizer.simulate
.attainment`). Peak memory is the process's maximum resident size after that instance, read
from the operating system (each instance in its own process, so one's peak is not another's).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

OUT = HERE / "results" / "attainment.json"
CASES = (
    ("crimea", 2000, 1.0),
    ("L", 2000, 10.0),
    ("XL", 2000, 30.0),
    ("L", 500, None),
    ("L", 8000, None),
    ("M", 2000, None),
)


def one(name: str, samples: int) -> dict:
    from instances import instance

    from optimizer.datasets import load_dataset
    from optimizer.greedy import greedy_plan
    from optimizer.simulate import attainment, simulate

    s = load_dataset(name) if name == "crimea" else instance(name)
    s = s.replace(uncertainty={"samples": samples, "seed": 0})
    plan = greedy_plan(s)
    ev = simulate(s, plan)
    assert ev.course is not None
    times = []
    for _ in range(3):
        start = time.perf_counter()
        targets, _ = attainment(*ev.course, ev.targets)
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        "scenario": name,
        "reps": len(s.reps),
        "territories": len(s.territories),
        "samples": samples,
        "target_rows": len(targets),
        "seconds": round(times[1], 3),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> dict:
    from run import machine

    rows = []
    for name, samples, goal in CASES:
        done = subprocess.run(
            [sys.executable, __file__, name, str(samples)],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["goal_seconds"] = goal
        print(row, flush=True)
        rows.append(row)
    result = {"machine": machine(), "rows": rows}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(one(sys.argv[1], int(sys.argv[2]))))
    else:
        main()
