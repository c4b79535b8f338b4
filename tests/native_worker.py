"""Pool workers for test_batch: one that returns while a HiGHS LP still runs in its thread
(this file run as a script), one that takes its time."""

from __future__ import annotations

import threading
import time

from optimizer.search.parallel import LocalExecutor


class LeavesAnLp:
    def solve(self, x: int) -> int:
        from optimizer.generate import generate
        from optimizer.model import build_model
        from optimizer.search.bound import lp_bound

        built = build_model(generate(60, 20, 12, seed=1))
        threading.Thread(target=lp_bound, args=(built.model, 60.0), daemon=True).start()
        time.sleep(0.5)
        return x


class Sleeps:
    def solve(self, x: int, seconds: float) -> int:
        time.sleep(seconds)
        return x


if __name__ == "__main__":
    pool = LocalExecutor(1, LeavesAnLp, ())
    print(sorted(v for _, v in pool.each([(1,)])))
    pool.close()
    print("closed")
