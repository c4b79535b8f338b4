"""The national scenario (10,000 reps, 2,000 territories, 12 months) end to end.

    .venv/bin/python benchmarks/national_study.py [SECONDS]   (writes results/national.json)

One greedy warm start, then the neighbourhood search for SECONDS (default 300) each: on a
local Ray instance (2 actors x 1 CPU), and on 1 and 2 local worker processes (1 CP-SAT worker
each), one run at a time. Reported: the checked score, the capacity bound and the gap, the
neighbourhoods solved, and the times of each stage; the speed-up is the ratio of neighbourhoods
solved (and of the score gained) with 2 processes to 1.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from instances import SIZES  # noqa: E402

from optimizer.generate import generate  # noqa: E402
from optimizer.greedy import greedy_plan  # noqa: E402
from optimizer.search.lns import LnsOptions, LnsStats, lns_solve  # noqa: E402
from optimizer.simulate import simulate  # noqa: E402

RUNS = [
    ("ray (local), 2 actors x 1 CPU", {"executor": "ray", "processes": 2}),
    ("local, 1 process x 1 worker", {"executor": "local", "processes": 1}),
    ("local, 2 processes x 1 worker", {"executor": "local", "processes": 2}),
]


def main(seconds: float) -> list[dict[str, object]]:
    reps, territories, periods, seed = SIZES["national"]
    started = time.monotonic()
    s = generate(reps, territories, periods, seed, name="national")
    generated = time.monotonic() - started
    started = time.monotonic()
    warm = greedy_plan(s)
    greedy_seconds = time.monotonic() - started
    greedy = simulate(s, warm)
    print(f"generated in {generated:.1f} s, greedy in {greedy_seconds:.1f} s", flush=True)
    rows = []
    for label, extra in RUNS:
        stats: list[LnsStats] = []
        started = time.monotonic()
        result = lns_solve(
            s,
            LnsOptions(
                time_limit=seconds,
                workers=1,
                seed=0,
                lp_bound=False,
                hint=warm,
                stats=stats.append,
                **extra,  # type: ignore[arg-type]
            ),
        )
        row = {
            "instance": "national",
            "reps": reps,
            "territories": territories,
            "periods": periods,
            "run": label,
            "time_limit": seconds,
            "seconds": round(time.monotonic() - started, 1),
            "generate_seconds": round(generated, 1),
            "greedy_seconds": round(greedy_seconds, 1),
            "greedy_score": greedy.score,
            "greedy_feasible": greedy.feasible,
            "score": result.score,
            "best_bound": result.best_bound,
            "gap_pct": None if result.gap_pct is None else round(result.gap_pct, 2),
            "neighbourhoods": stats[-1].iterations if stats else 0,
            "improvements": stats[-1].improvements if stats else 0,
            "search": result.search,
            "peak_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    out = HERE / "results" / "national.json"
    out.write_text(json.dumps(rows, indent=1) + "\n")
    return rows


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 300.0)
