"""One deadline and one stop signal for every stage of a solve.

A solve is a pipeline (warm start, repair, improve, verify) and each stage may itself run
CP-SAT, HiGHS or a loop of its own. They all read the same `Deadline`: the monotonic time the
answer is due and the event that a user's cancel sets. A stage that is given a share of the
time gets a *child* deadline — earlier, never later than its parent's, and stopped by the same
event — so no stage can spend time that belongs to the ones after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Stopped(Exception):
    """Raised inside a stage's own loop when its deadline passed or the stop was set; the
    pipeline catches it and answers with the best checked plan it holds."""


@dataclass(frozen=True)
class Deadline:
    """When the answer is due (`time.monotonic()` seconds) and what stops the work early."""

    end: float
    stop: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)
    patient_until: float = 0.0  # a stop counts only from then on (see `grace`)

    @classmethod
    def after(cls, seconds: float, stop: threading.Event | None = None) -> Deadline:
        now = time.monotonic()
        return cls(end=now + max(0.0, seconds), stop=stop or threading.Event(), started=now)

    def left(self) -> float:
        """Seconds left, never negative; 0 once stopped."""
        if self.stopped:
            return 0.0
        return max(0.0, self.end - time.monotonic())

    def elapsed(self) -> float:
        """Seconds since the solve began (of the whole solve, for a child too)."""
        return time.monotonic() - self.started

    @property
    def stopped(self) -> bool:
        return self.stop.is_set() and time.monotonic() >= self.patient_until

    def expired(self) -> bool:
        return self.stopped or time.monotonic() >= self.end

    def check(self) -> None:
        """Raise `Stopped` when the time is up or the stop was set (for a stage's loop)."""
        if self.expired():
            raise Stopped

    def child(
        self, share: float = 1.0, at_most: float | None = None, reserve: float = 0.0
    ) -> Deadline:
        """A deadline for one stage: `share` of the time left, at most `at_most` s, and
        ending `reserve` s before this one (for the work that must follow it)."""
        seconds = min(self.left() * share, max(0.0, self.left() - reserve))
        if at_most is not None:
            seconds = min(seconds, at_most)
        return Deadline(
            end=min(self.end, time.monotonic() + seconds),
            stop=self.stop,
            started=self.started,
            patient_until=self.patient_until,
        )

    def grace(self, seconds: float) -> Deadline:
        """The same deadline `seconds` later, and deaf to the stop for the next `seconds`:
        for the one stage that may run a little past the limit or a cancel, making the first
        feasible plan when there is none yet (a plan 0.8 s later beats no plan)."""
        return Deadline(
            end=self.end + seconds,
            stop=self.stop,
            started=self.started,
            patient_until=time.monotonic() + seconds,
        )

    def watch(self, on_stop: Callable[[], None], poll: float = 0.05) -> threading.Event:
        """Call `on_stop` once when the stop is set (e.g. `CpSolver.stop_search`, which the
        solver accepts from another thread); set the returned event to stop watching."""
        done = threading.Event()

        def run() -> None:
            while not done.is_set():
                if self.stop.wait(poll):
                    if not done.is_set():
                        on_stop()
                    return

        threading.Thread(target=run, daemon=True, name="ledokol-stop").start()
        return done
