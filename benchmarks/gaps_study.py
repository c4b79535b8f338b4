"""Issue 14's per-instance goals: every shipped dataset's gap at 60 s, and S proven.

    .venv/bin/python benchmarks/gaps_study.py    (run.py --gaps; writes results/gaps.json)

The default solve (every CPU, `auto`, seed 0) of each shipped dataset for 60 s, one after
another; then S (`benchmarks/instances.py`) with 20 s and its time to a proven optimum.
Goals: every shipped dataset within 1 % of its bound at 60 s; S proven optimal within 2 s.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from instances import instance  # noqa: E402
from run import machine  # noqa: E402

from optimizer.datasets import dataset_names, load_dataset  # noqa: E402
from optimizer.solve import SolveOptions, solve  # noqa: E402

OUT = HERE / "results" / "gaps.json"
SECONDS = 60.0


def main() -> dict:
    rows = []
    cases = [(name, load_dataset(name), SECONDS) for name in dataset_names()]
    cases.append(("S", instance("S"), 20.0))
    for name, s, seconds in cases:
        r = solve(s, SolveOptions(time_limit=seconds, seed=0))
        rows.append(
            {
                "instance": name,
                "time_limit": seconds,
                "status": r.status,
                "score": r.score,
                "bound": r.best_bound,
                "gap_pct": None if r.gap_pct is None else round(r.gap_pct, 2),
                "seconds": round(r.seconds, 2),
            }
        )
        print(rows[-1], flush=True)
    result = {"machine": machine(), "rows": rows}
    OUT.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
