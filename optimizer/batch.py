"""Many regional scenarios solved in one run: the quarterly batch.

Each scenario is solved by a worker of the same executor the neighbourhood search uses
(`optimizer.search.parallel`: local processes by default, Ray actors on a local instance or a
cluster when asked), each worker reserving the CPUs its CP-SAT workers use. A scenario's
answer is written as soon as it is known, atomically, in the output folder:

    NAME.plan.json     the plan (spec section 7), checked by the simulator
    NAME.report.html   its report
    NAME.result.json   one line of the summary: status, score, profit, gap, seconds, error

A rerun skips every scenario with a result that is not a failure and that was solved with the
same options (time limit, seed, workers) from the same file (its SHA-256): resumable, an
interrupted batch loses at most the scenarios in progress, and a rerun with another
`--time-limit` or an edited scenario solves again (and says how many). A failure (invalid
input, no plan in time, a crash in the solve) is recorded and the others go on.
`summary.csv` and `index.html` are rewritten from all results at the end.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

FIELDS = (
    "name",
    "file",
    "status",
    "score",
    "profit",
    "status_quo_score",
    "gap_pct",
    "new_clients",
    "revenue",
    "hires",
    "seconds",
    "error",
)
SOLVED = ("OPTIMAL", "FEASIBLE")


def scenario_files(source: str) -> list[Path]:
    """A folder's `*.json` files, or the files a glob pattern names, sorted."""
    path = Path(source)
    if path.is_dir():
        return sorted(p for p in path.glob("*.json") if p.is_file())
    return sorted(Path(p) for p in glob.glob(source) if Path(p).is_file())


def _write(path: Path, text: str) -> None:
    """Atomically: a reader (or a rerun after a crash) never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class RegionSolver:
    """A worker of the batch: solves one scenario and answers with its files' contents (on a
    cluster the worker's disk is not the driver's: the driver writes them)."""

    def __init__(self, time_limit: float, workers: int, seed: int) -> None:
        self.time_limit = time_limit
        self.workers = workers
        self.seed = seed

    def solve(self, name: str, file: str, text: bytes) -> dict[str, Any]:
        """{"record": one summary row, "plan": plan JSON or None, "report": HTML or None}; the
        row carries the options and the file's digest it was solved with."""
        started = time.monotonic()
        record: dict[str, Any] = dict.fromkeys(FIELDS)
        record.update(name=name, file=file)
        record["options"] = {
            "time_limit": self.time_limit,
            "seed": self.seed,
            "workers": self.workers,
        }
        record["sha256"] = hashlib.sha256(text).hexdigest()
        answer: dict[str, Any] = {"record": record, "plan": None, "report": None}
        try:
            answer.update(self._solve(text, record))
        except Exception as error:  # recorded; the batch goes on with the others
            from optimizer.scenario import InvalidInput

            record["status"] = "failed"
            if isinstance(error, InvalidInput):
                record["error"] = str(error).replace("\n", "; ")
            else:
                last = traceback.extract_tb(error.__traceback__)[-1]
                record["error"] = (
                    f"{type(error).__name__}: {error} ({Path(last.filename).name}:{last.lineno})"
                )
        record["seconds"] = round(time.monotonic() - started, 2)
        return answer

    def _solve(self, text: bytes, record: dict[str, Any]) -> dict[str, Any]:
        from optimizer.report.html import render_html
        from optimizer.scenario import load_scenario, parse_json
        from optimizer.simulate import simulate
        from optimizer.solve import SolveOptions, solve
        from optimizer.status_quo import status_quo_plan

        s = load_scenario(parse_json(text, f"scenario {record['file']}"))
        options = SolveOptions(time_limit=self.time_limit, workers=self.workers, seed=self.seed)
        result = solve(s, options)
        status_quo = simulate(s, status_quo_plan(s))
        record.update(status=result.status, status_quo_score=status_quo.score)
        if result.plan is None or result.evaluation is None:
            record["status"] = "failed"
            record["error"] = (
                f"{result.status}: {result.explanation}"
                if result.explanation
                else f"{result.status}: no plan within {self.time_limit:g} s"
            )
            # the plan document all the same (status and explanation): an answer to read
            return {"plan": result.document(s).model_dump_json(indent=1) + "\n", "report": None}
        k = result.evaluation.kpis
        record.update(
            score=result.score,
            profit=k.profit,
            gap_pct=None if result.gap_pct is None else round(result.gap_pct, 2),
            new_clients=k.new_clients,
            revenue=k.revenue_total,
            hires=k.hires,
        )
        return {
            "plan": result.plan.model_dump_json(indent=1) + "\n",
            "report": render_html(s, result.plan, result.evaluation, status_quo),
        }


def _store(out_dir: Path, answer: dict[str, Any]) -> dict[str, Any]:
    """Write a scenario's files; its result last (the mark a rerun skips on)."""
    record: dict[str, Any] = answer["record"]
    name = record["name"]
    if answer["plan"] is not None:
        _write(out_dir / f"{name}.plan.json", answer["plan"])
    if answer.get("report") is not None:
        _write(out_dir / f"{name}.report.html", answer["report"])
    _write(out_dir / f"{name}.result.json", json.dumps(record) + "\n")
    return record


@dataclass
class BatchResult:
    records: list[dict[str, Any]]  # every scenario of the source, this run's or an earlier one's
    solved_now: int
    skipped: int
    failed: int
    seconds: float
    resolved: int = 0  # solved before with other options or another file: solved again


def run_batch(
    source: str,
    out_dir: Path,
    executor: str = "local",
    address: str | None = None,
    time_limit: float = 60.0,
    workers: int = 1,
    processes: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> BatchResult:
    """Solve every scenario of `source` not already solved in `out_dir`; write the summary."""
    from optimizer.search.parallel import make_executor

    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    files = scenario_files(source)
    asked = {"time_limit": time_limit, "seed": seed, "workers": workers}
    todo, skipped, changed = [], 0, 0
    for file in files:
        record = _read(out_dir / f"{file.stem}.result.json")
        if record is not None and record.get("status") in SOLVED:
            same = record.get("options") == asked and record.get("sha256") == _digest(file)
            if same:
                skipped += 1
                continue
            changed += 1
        todo.append(file)
    processes = processes or max(1, (os.cpu_count() or 1) // workers)
    processes = max(1, min(processes, len(todo)))
    records_now: list[dict[str, Any]] = []
    if todo:
        pool = make_executor(
            executor,
            None,
            processes,
            cpus=workers,
            address=address,
            worker=RegionSolver,
            args=(time_limit, workers, seed),
        )
        tasks = [(f.stem, str(f), f.read_bytes()) for f in todo]
        answered: set[int] = set()
        try:
            for i, answer in pool.each(tasks):
                answered.add(i)
                record = _store(out_dir, answer)
                records_now.append(record)
                if progress is not None:
                    progress(len(records_now), len(todo), record)
        except Exception as error:  # a worker died (out of memory, a crash): the rest is failed
            why = f"the batch's worker was lost: {type(error).__name__}: {error}"
            for i, (name, path, _) in enumerate(tasks):
                if i not in answered:
                    record = dict.fromkeys(FIELDS)
                    record.update(name=name, file=path, status="failed", error=why)
                    records_now.append(_store(out_dir, {"record": record, "plan": None}))
        finally:
            pool.close()
    records = [_read(out_dir / f"{f.stem}.result.json") or _missing(f) for f in files]
    write_summary(out_dir, records)
    return BatchResult(
        records=records,
        solved_now=sum(r["status"] in SOLVED for r in records_now),
        skipped=skipped,
        failed=sum(r["status"] == "failed" for r in records_now),
        seconds=time.monotonic() - started,
        resolved=changed,
    )


def _digest(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, json.JSONDecodeError):
        return None


def _missing(file: Path) -> dict[str, Any]:
    record: dict[str, Any] = dict.fromkeys(FIELDS)
    record.update(name=file.stem, file=str(file), status="not run")
    return record


NUMBERS = tuple(f for f in FIELDS if f not in ("name", "file", "status", "error"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return escape(f"{value:,}" if isinstance(value, int) else str(value))


def write_summary(out_dir: Path, records: list[dict[str, Any]]) -> None:
    """`summary.csv` (one row per scenario) and `index.html` (the table, linking reports)."""
    lines = []
    rows = [{k: r.get(k) for k in FIELDS} for r in records]
    table = pd.DataFrame(rows, columns=list(FIELDS), dtype=object)  # ints stay ints
    table.to_csv(out_dir / "summary.csv.tmp", index=False, encoding="utf-8")
    os.replace(out_dir / "summary.csv.tmp", out_dir / "summary.csv")
    for r in records:
        name = escape(str(r["name"]))
        link = (
            f"<a href='{name}.report.html'>{name}</a>"
            if (out_dir / f"{r['name']}.report.html").exists() and r["status"] in SOLVED
            else name
        )
        cells = "".join(f"<td class='num'>{_cell(r.get(k))}</td>" for k in NUMBERS)
        status = escape(str(r["status"]))
        lines.append(
            f"<tr class='{status}'><td>{link}</td><td>{status}</td>{cells}"
            f"<td>{escape(r.get('error') or '')}</td></tr>"
        )
    solved = sum(r["status"] in SOLVED for r in records)
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "scenario",
            "status",
            "score",
            "profit",
            "status quo",
            "gap %",
            "new clients",
            "revenue",
            "hires",
            "seconds",
            "error",
        )
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Batch</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border-bottom:1px solid #ddd;padding:4px 8px}.num{text-align:right}"
        ".failed td{color:#b00}</style></head><body>"
        f"<h1>Batch: {solved} of {len(records)} scenarios solved</h1>"
        f"<table id='batch'><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"
        "</body></html>"
    )
    _write(out_dir / "index.html", page)
