"""What a job asks, typed from the request to the solve process: `SolveJob` (a solve or a
re-plan) or `CompareJob` (a lever comparison), stored as JSON with the job and read back into
the same type; `SolveParameters`, what a solve really runs with (recorded with the job)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from optimizer.result import SolveOptions


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SolveJob(_Frozen):
    """A solve or a re-plan. `hint` is a plan's JSON the search starts from (a re-plan: the
    last plan carried forward); it is never shown with the job."""

    kind: Literal["solve"] = "solve"
    time_limit: float
    workers: int | None = None
    seed: int = 0
    gap_pct: float | None = None
    reproducible: bool = False
    warm_start: bool = True
    hint: str | None = None

    def parameters(self, cpus: int) -> SolveParameters:
        """The solve's parameters on a machine giving it `cpus` CPUs."""
        limits = (  # reproducible: the limit counts CP-SAT's deterministic work units
            SolveOptions.reproducible(self.time_limit)
            if self.reproducible
            else SolveOptions(self.time_limit, workers=min(cpus, self.workers or cpus))
        )
        return SolveParameters(
            time_limit=limits.time_limit,
            deterministic_time=limits.deterministic_time,
            workers=limits.workers or cpus,
            seed=self.seed,
            gap_pct=self.gap_pct,
            greedy_hint=self.warm_start,
        )


class CompareJob(_Frozen):
    """A lever comparison: every combination one after the other in the job's process."""

    kind: Literal["compare"] = "compare"
    time_limit: float
    levers: tuple[str, ...] | None = None
    seed: int = 0


JobOptions = Annotated[SolveJob | CompareJob, Field(discriminator="kind")]
_JOB_OPTIONS: TypeAdapter[SolveJob | CompareJob] = TypeAdapter(JobOptions)


def read_options(text: str) -> SolveJob | CompareJob:
    """A job's stored options (a job stored before the kind was recorded is a solve)."""
    data = json.loads(text)
    data.setdefault("kind", "solve")
    return _JOB_OPTIONS.validate_python(data)


class SolveParameters(_Frozen):
    """What a job's solve runs with; `options()` makes the engine's `SolveOptions` of it in the
    solve process, with that process's callbacks."""

    time_limit: float
    deterministic_time: float | None = None
    workers: int
    seed: int
    gap_pct: float | None = None
    greedy_hint: bool = True

    def options(self, **callbacks: Any) -> SolveOptions:
        return SolveOptions(
            time_limit=self.time_limit,
            deterministic_time=self.deterministic_time,
            workers=self.workers,
            seed=self.seed,
            gap_pct=self.gap_pct,
            greedy_hint=self.greedy_hint,
            **callbacks,
        )
