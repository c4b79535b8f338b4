"""How build time, memory and time to a fixed gap grow with reps and with periods.

    .venv/bin/python benchmarks/scaling_study.py    (run.py calls it; writes results/scaling.json)

Each point is a fresh process (its peak memory is its own): a generator instance (seed 1,
territories = reps * 3 / 10, at least 3), the CP-SAT model built once (time, size), then the
product's solve (2 workers) until the gap reaches GAP_PCT or the cap. The ladder then tries
1 % within 5 minutes on growing sizes, stopping at the first size that misses it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

OUT = HERE / "results" / "scaling.json"
GAP_PCT = 5.0
CAP_S = 30.0
REPS = [50, 100, 200, 400, 1000, 2000]  # at 12 periods
PERIODS = [6, 12, 24, 36]  # at 50 reps
LADDER = [4, 6, 10, 20]  # reps, 12 periods: 1 % within 300 s?
LADDER_GAP, LADDER_CAP = 1.0, 300.0
QUICK_REPS = [50, 100]  # bench-quick: build times only, against the stored ones


def territories_for(reps: int) -> int:
    return max(3, reps * 3 // 10)


def point(reps: int, periods: int, gap: float, cap: float, solve_too: bool = True) -> dict:
    """One measurement, in this process."""
    from optimizer.generate import generate
    from optimizer.model import build_model
    from optimizer.solve import Progress, SolveOptions, solve

    s = generate(reps, territories_for(reps), periods, 1, name=f"scale-{reps}x{periods}")
    started = time.monotonic()
    built = build_model(s)
    build_s = time.monotonic() - started
    row: dict = {
        "reps": reps,
        "territories": territories_for(reps),
        "periods": periods,
        "build_s": round(build_s, 3),
        **built.size(),
    }
    del built
    if solve_too:
        trace: list[Progress] = []
        started = time.monotonic()
        result = solve(
            s,
            SolveOptions(time_limit=cap, workers=2, seed=0, gap_pct=gap, progress=trace.append),
        )
        reached = next(
            (p.elapsed for p in trace if p.gap_pct is not None and p.gap_pct <= gap), None
        )
        if reached is None and result.gap_pct is not None and result.gap_pct <= gap:
            reached = time.monotonic() - started
        row.update(
            target_gap_pct=gap,
            cap_s=cap,
            seconds_to_gap=None if reached is None else round(reached, 2),
            final_gap_pct=None if result.gap_pct is None else round(result.gap_pct, 2),
            status=result.status,
            score=result.score,
        )
    row["peak_rss_gib"] = round(peak_rss_kib() / 2**20, 3)
    return row


def peak_rss_kib() -> int:
    """This process's own peak resident set (VmHWM: reset at exec, unlike `ru_maxrss`, which a
    child process inherits from the parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(reps: int, periods: int, gap: float, cap: float, solve_too: bool = True) -> dict:
    """One point in a fresh process."""
    args = [sys.executable, __file__, "--point", str(reps), str(periods), str(gap), str(cap)]
    if not solve_too:
        args.append("--build-only")
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> dict:
    rows: dict[str, list[dict]] = {"reps": [], "periods": [], "ladder": []}
    for reps in REPS:
        rows["reps"].append(measure(reps, 12, GAP_PCT, CAP_S))
        print(f"scaling: {rows['reps'][-1]}", flush=True)
    for periods in PERIODS:
        rows["periods"].append(measure(50, periods, GAP_PCT, CAP_S))
        print(f"scaling: {rows['periods'][-1]}", flush=True)
    for reps in LADDER:
        row = measure(reps, 12, LADDER_GAP, LADDER_CAP)
        rows["ladder"].append(row)
        print(f"scaling: {row}", flush=True)
        if row["seconds_to_gap"] is None:
            break
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(rows, indent=1) + "\n")
    return rows


if __name__ == "__main__":
    if "--point" in sys.argv:
        i = sys.argv.index("--point")
        reps, periods = int(sys.argv[i + 1]), int(sys.argv[i + 2])
        gap, cap = float(sys.argv[i + 3]), float(sys.argv[i + 4])
        print(
            json.dumps(point(reps, periods, gap, cap, "--build-only" not in sys.argv)), flush=True
        )
        os._exit(0)  # a bound's LP thread may still run: do not wait for it, nor tear it down
    else:
        main()
