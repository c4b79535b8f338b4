"""The `ledokol` command line.

Exit codes: 0 done (solved: OPTIMAL or FEASIBLE), 2 invalid input (a message naming the field
and entity, no traceback), 3 infeasible (the explanation printed), 4 no solution within the
time limit; `batch`: 1 when a scenario failed (recorded, the others solved).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

import typer
from rich.console import Console

from optimizer.plan import Plan
from optimizer.result import SolveResult
from optimizer.scenario import (
    InvalidInput,
    Scenario,
    Uncertainty,
    load_scenario,
    read_json,
    readable_errors,
)
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan

EXIT_INVALID = 2
EXIT_INFEASIBLE = 3
EXIT_NO_SOLUTION = 4

app = typer.Typer(
    name="ledokol",
    help="Plan a sales force month by month, and prove how good the plan is.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _fail(error: InvalidInput) -> NoReturn:
    typer.echo(str(error), err=True)  # plain and unwrapped: messages are grepped and logged
    raise typer.Exit(EXIT_INVALID)


SCENARIO_HELP = "Scenario: a JSON file or a workbook (.xlsx, see `ledokol template`)."
PLAN_HELP = "Plan: a JSON file or a plan workbook (.xlsx, its Schedule sheet edited)"


def _scenario(path: Path) -> Scenario:
    from optimizer.workbook import load_any_scenario

    try:
        return load_any_scenario(path)
    except InvalidInput as error:
        _fail(error)


def _plan(s: Scenario, path: Path) -> Plan:
    """A plan file of this scenario: JSON, or a plan workbook read against the scenario."""
    from optimizer.workbook import is_workbook, read_plan_workbook

    return read_plan_workbook(s, path) if is_workbook(path) else load_plan(path)


def _answer(result: SolveResult, s: Scenario, out_path: Path | None) -> None:
    """Write the plan document (`--out`), a plan or, without one, the status and the
    explanation (spec section 7), so a script always has a machine-readable answer; then
    exit 3 or 4 when there is no plan."""
    if out_path is not None:
        _write(out_path, result.document(s).model_dump_json(indent=2), "plan")
    _exit_without_plan(result)


STAGE_WORDS = {
    "warm start": "warm start (greedy plan, status quo, repair)",
    "proof": "proving on the whole model",
    "search": "searching for better plans",
}


def _exit_without_plan(result: SolveResult) -> None:
    """Exit 3 with the explanation when infeasible, 4 when no plan came in time."""
    if result.status == "INFEASIBLE":
        out.print(result.explanation or "no explanation found", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INFEASIBLE)
    if result.plan is None or result.evaluation is None:
        out.print("No plan within the time limit; give it more time (--time-limit).")
        raise typer.Exit(EXIT_NO_SOLUTION)


def _write(path: Path, text: str, what: str) -> None:
    path.write_text(text + "\n", encoding="utf-8")
    out.print(f"{what} written to {path}", highlight=False)


def load_plan(path: Path) -> Plan:
    """Read a plan file; `InvalidInput` names what is wrong."""
    from pydantic import ValidationError

    what, data = read_json(path, "plan")
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(f"invalid {what}", readable_errors(error, data)) from None


REPRODUCIBLE_HELP = (
    "One worker and the time limit counted in CP-SAT's deterministic work units: the same plan "
    "for the same input on any machine, busy or idle."
)


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)]) -> None:
    """Check a scenario; print what it holds, or every problem found."""
    s = _scenario(scenario)
    positions = len(s.positions)
    out.print(
        f"{scenario}: valid scenario '{s.name}': {len(s.territories)} territories, "
        f"{len(s.reps)} reps, {positions} open position{'s' if positions != 1 else ''}, "
        f"{s.periods} periods from {s.horizon.start}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def evaluate(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    plan: Annotated[
        Path | None, typer.Argument(help=PLAN_HELP + "; omitted: the status quo.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the evaluated plan as JSON (spec section 7).")
    ] = False,
) -> None:
    """Score a plan with the simulator: KPIs, territories and every broken hard rule."""
    s = _scenario(scenario)
    try:
        the_plan = _plan(s, plan) if plan is not None else status_quo_plan(s)
        evaluation = simulate(s, the_plan)
    except InvalidInput as error:
        _fail(error)
    if as_json:
        evaluated = evaluation.apply_to(the_plan.model_copy(update={"scenario": s.name}))
        sys.stdout.write(evaluated.model_dump_json(indent=2) + "\n")
        return
    from optimizer.report.console import print_evaluation

    title = f"{s.name}: {'status quo' if plan is None else plan.name}"
    print_evaluation(out, s, evaluation, title)
    if s.uncertainty is not None:
        from optimizer.report.console import print_attainment

        out.print()
        print_attainment(out, s, evaluation.apply_to(the_plan))


@app.command()
def attainment(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    plan: Annotated[
        Path | None, typer.Argument(help=PLAN_HELP + "; omitted: the status quo.")
    ] = None,
    samples: Annotated[
        int | None, typer.Option(min=1, max=100_000, help="Noisy samples (default: the block's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed (default: the block's).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the evaluated plan as JSON (spec section 7).")
    ] = False,
) -> None:
    """Each target's chance of being reached, and the company's spread (spec section 8): the
    plan's course sampled under the scenario's `uncertainty` block (its defaults when the
    scenario has none)."""
    from optimizer.report.console import print_attainment

    s = _scenario(scenario)
    block = (s.uncertainty or Uncertainty()).model_dump()
    block.update({k: v for k, v in (("samples", samples), ("seed", seed)) if v is not None})
    try:
        s = s.replace(uncertainty=block)
        the_plan = _plan(s, plan) if plan is not None else status_quo_plan(s)
        evaluated = simulate(s, the_plan).apply_to(the_plan.model_copy(update={"scenario": s.name}))
    except InvalidInput as error:
        _fail(error)
    if as_json:
        sys.stdout.write(evaluated.model_dump_json(indent=2) + "\n")
        return
    print_attainment(out, s, evaluated)


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds for the whole solve.")
    ] = 60.0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="CP-SAT workers; default: every CPU.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (with one worker: same plan).")] = 0,
    gap: Annotated[
        float | None, typer.Option("--gap", min=0.0, help="Stop within this relative gap, %.")
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write the plan JSON here.")
    ] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write an Excel workbook.")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the plan's HTML report (one file).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress line.")] = False,
    no_warm_start: Annotated[
        bool,
        typer.Option("--no-warm-start", help="Search from scratch (no greedy/status-quo hint)."),
    ] = False,
    strategy: Annotated[
        str,
        typer.Option(
            help="cp-sat (one search of the whole model), lns (neighbourhood search from the "
            "warm start, for large scenarios) or auto (lns above 40 people)."
        ),
    ] = "auto",
    executor: Annotated[
        str | None,
        typer.Option(
            help="LNS only: solve neighbourhoods side by side on 'local' processes or 'ray'."
        ),
    ] = None,
    processes: Annotated[
        int | None, typer.Option(min=1, help="Parallel sub-solves (default: CPUs / workers).")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: a local Ray instance).")
    ] = None,
    reproducible: Annotated[bool, typer.Option("--reproducible", help=REPRODUCIBLE_HELP)] = False,
    robust: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=100_000,
            help="Optional: among the plans the search finds, prefer the one with the best mean "
            "score over this many sampled courses (docs/uncertainty.md); reported beside the "
            "exact score.",
        ),
    ] = None,
) -> None:
    """Find the best plan: KPIs against the status quo, hires, bonus, targets, schedule."""
    from optimizer.report.console import print_solution
    from optimizer.result import ExecutorKind
    from optimizer.solve import STRATEGIES, Parallel, Progress, SolveOptions
    from optimizer.solve import solve as run_solve

    s = _scenario(scenario)
    if strategy not in STRATEGIES:
        typer.echo(f"--strategy: expected auto, cp-sat or lns, got {strategy!r}", err=True)
        raise typer.Exit(EXIT_INVALID)
    if executor not in (None, "local", "ray"):
        typer.echo(f"--executor: expected local or ray, got {executor!r}", err=True)
        raise typer.Exit(EXIT_INVALID)
    live = sys.stderr.isatty()
    shown = [-1.0]

    def progress(p: Progress) -> None:
        if quiet:
            return
        if p.score is None and p.bound is None:  # a stage begins: say which, not "score -"
            line = f"{p.elapsed:7.1f} s  {STAGE_WORDS.get(p.stage, p.stage)}"
            sys.stderr.write(("\r" + line + " " * 40 + "\n") if live else line + "\n")
            sys.stderr.flush()
            return
        if not live and p.elapsed - shown[0] < 1.0:
            return  # in a log, at most a line a second
        shown[0] = p.elapsed
        score = "-" if p.score is None else f"{p.score:,}"
        bound = "-" if p.bound is None else f"{p.bound:,}"
        gap_text = "-" if p.gap_pct is None else f"{p.gap_pct:.2f} %"
        line = f"{p.elapsed:7.1f} s  score {score}  bound {bound}  gap {gap_text}"
        sys.stderr.write(("\r" + line + " " * 8) if live else line + "\n")
        sys.stderr.flush()

    limits = SolveOptions.reproducible(time_limit) if reproducible else SolveOptions(time_limit)
    options = limits.replace(
        workers=limits.workers or workers,
        seed=seed,
        gap_pct=gap,
        progress=progress,
        greedy_hint=not no_warm_start,
        strategy=strategy,  # one of STRATEGIES: checked above
        parallel=Parallel(cast("ExecutorKind | None", executor), processes, address),
    )
    picked = None
    if robust is not None:
        from optimizer.robust import solve_robust

        picked = solve_robust(s, options, robust)
        result = picked.result
    else:
        result = run_solve(s, options)
    if live and not quiet:
        sys.stderr.write("\n")
    out.print(result.summary(), markup=False, highlight=False, soft_wrap=True)
    if picked is not None:
        out.print(picked.summary(), markup=False, highlight=False, soft_wrap=True)
    if result.model_size:
        size = result.model_size
        out.print(
            f"model: {size['variables']:,} variables ({size['booleans']:,} Boolean), "
            f"{size['constraints']:,} constraints; warm start scored "
            f"{'-' if result.warm_start_score is None else f'{result.warm_start_score:,}'}",
            highlight=False,
        )
    if result.search:
        out.print(f"search: {result.search}", highlight=False)
    if result.repaired:
        out.print(
            f"repair: the warm start broke rules; {result.repaired} person-period(s) changed",
            highlight=False,
        )
    _answer(result, s, out_path)
    assert result.plan is not None and result.evaluation is not None
    status_quo = simulate(s, status_quo_plan(s))
    out.print()
    print_solution(out, s, result.plan, result.evaluation, status_quo)
    if xlsx is not None:
        from optimizer.report.xlsx import write_xlsx

        write_xlsx(s, result.plan, xlsx, status_quo)
        out.print(f"workbook written to {xlsx}", highlight=False)
    if html is not None:
        from optimizer.report.html import render_html

        _write(html, render_html(s, result.plan, result.evaluation, status_quo), "report")


@app.command()
def repair(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    plan: Annotated[Path, typer.Argument(help=PLAN_HELP + " that may break rules.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds for the repair.")
    ] = 30.0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="CP-SAT workers; default: every CPU.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write the repaired plan JSON here.")
    ] = None,
) -> None:
    """Make a plan that breaks rules feasible, changing as little as the rules need; list
    every changed cell."""
    import os

    from optimizer.deadline import Deadline
    from optimizer.repair import repair as run_repair

    s = _scenario(scenario)
    try:
        the_plan = _plan(s, plan)
        before = simulate(s, the_plan)
    except InvalidInput as error:
        _fail(error)
    if before.feasible:
        out.print(
            f"{plan}: keeps every rule; score {before.score:,}", highlight=False, soft_wrap=True
        )
        if out_path is not None:
            _write(out_path, before.apply_to(the_plan).model_dump_json(indent=2), "plan")
        return
    out.print(f"{plan}: breaks {len(before.violations)} rule(s):", highlight=False, soft_wrap=True)
    for v in before.violations[:20]:
        out.print(f"  {v}", markup=False, highlight=False, soft_wrap=True)
    if len(before.violations) > 20:
        out.print(f"  and {len(before.violations) - 20:,} more", highlight=False)
    workers = workers or os.cpu_count() or 1
    fixed = run_repair(
        s, the_plan, Deadline.after(time_limit), workers=workers, seed=seed, polish=True
    )
    if fixed.plan is None or fixed.evaluation is None:
        if fixed.status == "INFEASIBLE":
            from optimizer.explain import explain_infeasible

            out.print("No plan keeps every rule:", highlight=False)
            out.print(explain_infeasible(s, time_limit=time_limit), markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_INFEASIBLE)
        out.print("No feasible plan within the time limit; give it more time (--time-limit).")
        raise typer.Exit(EXIT_NO_SOLUTION)
    out.print(
        f"repaired: {len(fixed.changes)} person-period(s) changed, "
        f"score {fixed.evaluation.score:,}",
        highlight=False,
    )
    for c in fixed.changes:
        out.print(
            f"  {c.person} {s.period_label(c.period)}: {c.before} -> {c.after}",
            markup=False,
            highlight=False,
        )
    if out_path is not None:
        _write(out_path, fixed.evaluation.apply_to(fixed.plan).model_dump_json(indent=2), "plan")


@app.command()
def compare(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    levers: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated levers to compare (rotation, split, bonus, hiring, targets); "
            "default: every lever the scenario defines. The others stay as the scenario has them."
        ),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="Seconds for the whole comparison.")
    ] = 120.0,
    processes: Annotated[
        int | None, typer.Option(min=1, help="Combinations solved side by side (default: CPUs).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of every solve.")] = 0,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write the comparison JSON here.")
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(help="Write the HTML report of the best combination's plan, levers included."),
    ] = None,
) -> None:
    """Solve under every combination of the levers; rank them and recommend a mix."""
    from optimizer.compare import Combination, CompareOptions
    from optimizer.compare import compare as run_compare
    from optimizer.report.console import print_comparison

    s = _scenario(scenario)
    chosen = None if levers is None else tuple(x.strip() for x in levers.split(",") if x.strip())

    def progress(done: int, total: int, combo: Combination) -> None:
        score = "no plan" if combo.score is None else f"{combo.score:,}"
        bound = "" if combo.bound is None else f" (bound {combo.bound:,})"
        err.print(f"[{done}/{total}] {combo.label()}: {score}{bound}", highlight=False)

    try:
        result = run_compare(
            s,
            CompareOptions(
                time_limit=time_limit,
                processes=processes,
                seed=seed,
                levers=chosen,
                progress=progress,
            ),
        )
    except InvalidInput as error:
        _fail(error)
    print_comparison(out, result)
    if out_path is not None:
        _write(out_path, json.dumps(result.as_dict(), indent=2), "comparison")
    top = result.ranked[0] if result.ranked else None
    if html is not None and top is not None and top.plan is not None:
        from optimizer.compare import judged_under
        from optimizer.report.html import render_html

        judged = judged_under(s, result.as_dict())
        page = render_html(
            judged, top.plan, top.evaluation, simulate(s, status_quo_plan(s)), result.as_dict()
        )
        _write(html, page, "report")
    if all(c.score is None for c in result.ranked):
        raise typer.Exit(EXIT_NO_SOLUTION)


@app.command()
def batch(
    source: Annotated[str, typer.Argument(help="A folder of scenario JSON files, or a glob.")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for plans and the summary.")
    ] = Path("batch-out"),
    executor: Annotated[
        str,
        typer.Option(help="'local' processes (default) or 'ray' (local instance or --address)."),
    ] = "local",
    address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: a local Ray instance).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds per scenario.")
    ] = 60.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers per scenario.")] = 1,
    processes: Annotated[
        int | None, typer.Option(min=1, help="Scenarios side by side (default: CPUs / workers).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of every solve.")] = 0,
) -> None:
    """Solve many regional scenarios; resumable, a failure recorded and the rest go on."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from optimizer.batch import SOLVED, run_batch, scenario_files

    if executor not in ("local", "ray"):
        typer.echo(f"--executor: expected local or ray, got {executor!r}", err=True)
        raise typer.Exit(EXIT_INVALID)
    files = scenario_files(source)
    if not files:
        typer.echo(f"{source}: no scenario files (*.json) found", err=True)
        raise typer.Exit(EXIT_INVALID)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task("solving", total=None)

        def progress(done: int, total: int, record: dict[str, Any]) -> None:
            state = record["status"]
            bar.update(task, completed=done, total=total, description=f"{record['name']}: {state}")

        result = run_batch(
            source,
            out_dir,
            executor=executor,
            address=address,
            time_limit=time_limit,
            workers=workers,
            processes=processes,
            seed=seed,
            progress=progress,
        )
    solved = sum(r["status"] in SOLVED for r in result.records)
    again = (
        f", {result.resolved} of them solved again: other options or an edited file"
        if result.resolved
        else ""
    )
    out.print(
        f"{solved} of {len(result.records)} scenarios solved ({result.solved_now} now{again}, "
        f"{result.skipped} done before, {result.failed} failed) in {result.seconds:.1f} s; "
        f"summary in {out_dir / 'summary.csv'} and {out_dir / 'index.html'}",
        highlight=False,
        soft_wrap=True,
    )
    for r in result.records:
        if r["status"] == "failed":
            out.print(f"  {r['name']}: {r['error']}", markup=False, highlight=False, soft_wrap=True)
    if result.failed:
        raise typer.Exit(1)


@app.command()
def replan(
    scenario: Annotated[Path, typer.Argument(help="The last plan's scenario: JSON or a workbook.")],
    baseline: Annotated[Path, typer.Option("--baseline", help="The last plan (JSON).")],
    actuals: Annotated[Path, typer.Option("--actuals", help="What happened since (JSON).")],
    freeze: Annotated[
        int, typer.Option(min=0, help="Periods already communicated: kept as planned.")
    ] = 0,
    change_cost: Annotated[
        int, typer.Option("--change-cost", min=0, help="Per person-period changed after them.")
    ] = 0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds for the solve.")
    ] = 60.0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="CP-SAT workers; default: every CPU.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write the new plan JSON here.")
    ] = None,
    scenario_out: Annotated[
        Path | None,
        typer.Option("--scenario-out", help="Write the rolled-forward scenario JSON here."),
    ] = None,
    reproducible: Annotated[bool, typer.Option("--reproducible", help=REPRODUCIBLE_HELP)] = False,
) -> None:
    """Roll the last plan forward by the elapsed quarter, apply the actuals, re-solve from it,
    and show what changed and why."""
    from optimizer.replan import changes, load_actuals, roll_forward
    from optimizer.solve import SolveOptions
    from optimizer.solve import solve as run_solve

    s = _scenario(scenario)
    try:
        last = load_plan(baseline)
        facts = load_actuals(actuals)
        rolled = roll_forward(s, last, facts, freeze=freeze, change_cost=change_cost)
    except InvalidInput as error:
        _fail(error)
    new = rolled.scenario
    start = simulate(new, rolled.warm_start)
    out.print(
        f"{new.name}: {new.horizon.start}, {new.periods} periods; the last plan carried forward "
        f"scores {start.score:,}"
        + ("" if start.feasible else f" and breaks {len(start.violations)} rule(s) now"),
        highlight=False,
        soft_wrap=True,
    )
    # the last plan starts the search; where it breaks rules now, repair mends it
    limits = SolveOptions.reproducible(time_limit) if reproducible else SolveOptions(time_limit)
    options = limits.replace(workers=limits.workers or workers, seed=seed, hint=rolled.warm_start)
    result = run_solve(new, options)
    out.print(result.summary(), markup=False, highlight=False, soft_wrap=True)
    if out_path is not None and result.plan is None:
        _write(out_path, result.document(new).model_dump_json(indent=2), "plan")
    _exit_without_plan(result)
    assert result.plan is not None and result.evaluation is not None
    diff = changes(new, result.plan)
    k = result.evaluation.kpis
    frozen = "" if not freeze else f"; {new.period_label(0)}..{new.period_label(freeze - 1)} frozen"
    out.print(
        f"{len(diff)} person-period(s) differ from the last plan; {k.changes} charged "
        f"({k.change_cost:,}){frozen}",
        highlight=False,
        soft_wrap=True,
    )
    for person, months in rolled.gone.items():
        out.print(f"  {person}: gone; his {months} planned month(s) are free", highlight=False)
    for c in diff:
        out.print(
            f"  {c.person} {new.period_label(c.period)}: {c.before} -> {c.after}  ({c.why})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if out_path is not None:
        _write(out_path, result.plan.model_dump_json(indent=2), "plan")
    if scenario_out is not None:
        _write(scenario_out, new.model_dump_json(indent=2), "scenario")


class GenerateStyle(StrEnum):
    tidy = "tidy"
    awkward = "awkward"


class SchemaKind(StrEnum):
    scenario = "scenario"
    plan = "plan"


@app.command("explain", help="The same as `why`: each alternative state of a person-month, priced.")
@app.command()
def why(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    plan: Annotated[Path, typer.Argument(help=PLAN_HELP + " that keeps every rule.")],
    person: Annotated[str, typer.Option(help="A rep or a filled position.")],
    month: Annotated[str | None, typer.Option(help="The month, YYYY-MM (or --period).")] = None,
    period: Annotated[int | None, typer.Option(min=0, help="The month as an index.")] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="Seconds for the whole answer: every alternative priced first, the time left"
            " on a deep repair of each.",
        ),
    ] = 20.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Why is PERSON where the plan puts him in a month: each alternative state priced by
    the best plan found with it forced (the change of each KPI term), or the rule that
    forbids it."""
    from optimizer.deadline import Deadline
    from optimizer.why import why as explain_cell

    s = _scenario(scenario)
    if period is None:
        labels = {s.period_label(p): p for p in range(s.periods)}
        span = f"{s.period_label(0)}..{s.period_label(s.periods - 1)}"
        if month is None or month not in labels:
            said = (
                f"give --month, one of {span} (YYYY-MM), or --period N"
                if month is None
                else f"--month: {month!r} is not a month of {span}"
            )
            typer.echo(said, err=True)
            raise typer.Exit(EXIT_INVALID)
        period = labels[month]
    try:
        the_plan = _plan(s, plan)
        if not as_json and person in s.person_by_id:
            label = s.period_label(period)
            typer.echo(f"pricing {person} in {label}: up to {time_limit:g} s", err=True)
        answer = explain_cell(s, the_plan, person, period, Deadline.after(time_limit))
    except InvalidInput as error:
        _fail(error)
    if as_json:
        sys.stdout.write(json.dumps(answer.as_dict(), indent=2) + "\n")
        return
    from optimizer.report.console import print_why

    print_why(out, s, answer)


@app.command()
def diff(
    scenario: Annotated[Path, typer.Argument(help=SCENARIO_HELP)],
    first: Annotated[Path, typer.Argument(help=PLAN_HELP + ": A.")],
    second: Annotated[Path, typer.Argument(help=PLAN_HELP + ": B, compared with A.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Two plans side by side: each KPI in both and B - A, and every person-month that
    differs."""
    from optimizer.diff import diff as compare_plans

    s = _scenario(scenario)
    try:
        answer = compare_plans(s, _plan(s, first), _plan(s, second))
    except InvalidInput as error:
        _fail(error)
    if as_json:
        sys.stdout.write(json.dumps(answer.as_dict(), indent=2) + "\n")
        return
    from optimizer.report.console import print_diff

    print_diff(out, s, answer, first.name, second.name)


@app.command()
def template(
    out_path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    source: Annotated[
        Path | None,
        typer.Option("--from", help="Fill it from this scenario (JSON or a workbook)."),
    ] = None,
) -> None:
    """Write a scenario workbook to fill in a spreadsheet program: one sheet per part of the
    scenario, units in the headers, drop-down lists; every command reads it back."""
    from optimizer.workbook import XLSX_SUFFIXES, write_template

    if out_path.suffix.lower() not in XLSX_SUFFIXES:
        typer.echo(f"{out_path}: a workbook's name ends in .xlsx", err=True)
        raise typer.Exit(EXIT_INVALID)
    s = _scenario(source) if source is not None else None
    try:
        write_template(out_path, s)
    except OSError as error:
        typer.echo(f"cannot write {out_path}: {error}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    what = f"scenario '{s.name}'" if s is not None else "a small example team"
    out.print(
        f"wrote {out_path} ({what}); edit it, then: ledokol validate {out_path}", highlight=False
    )


@app.command()
def schema(kind: Annotated[SchemaKind, typer.Argument(help="scenario or plan")]) -> None:
    """Print the JSON Schema of a scenario or a plan."""
    model = Scenario if kind is SchemaKind.scenario else Plan
    sys.stdout.write(json.dumps(model.model_json_schema(), indent=2) + "\n")


@app.command()
def generate(
    reps: Annotated[int, typer.Option(min=1, help="Number of reps.")],
    territories: Annotated[int, typer.Option(min=1, help="Number of territories (real towns).")],
    periods: Annotated[int, typer.Option(min=1, max=36, help="Months in the horizon.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same scenario.")] = 0,
    name: Annotated[str | None, typer.Option(help="Scenario name.")] = None,
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")
    ] = None,
    style: Annotated[
        GenerateStyle,
        typer.Option(
            help="tidy: real towns, every lever on; awkward: locks against current stints, "
            "leave inside stints, tight offices and floors, one trainer seat, veterans out of "
            "radius, baselines (built around a plan known to be feasible)."
        ),
    ] = GenerateStyle.tidy,
    witness: Annotated[
        Path | None,
        typer.Option(help="awkward: write the known feasible plan here."),
    ] = None,
) -> None:
    """Generate a valid scenario of any size."""
    from optimizer.generate import generate_data

    try:
        if style == GenerateStyle.awkward:
            from optimizer.awkward import awkward_data

            data, known = awkward_data(reps, territories, periods, seed, name)
            if witness is not None:
                witness.write_text(json.dumps(known, indent=1) + "\n", encoding="utf-8")
        else:
            if witness is not None:
                raise ValueError("--witness goes with --style awkward")
            data = generate_data(reps, territories, periods, seed, name)
        load_scenario(data)  # never write a scenario that would not validate
    except (ValueError, InvalidInput) as error:
        typer.echo(f"cannot generate: {error}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output} ({reps} reps, {territories} territories, {periods} periods)")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; 0.0.0.0 to serve others.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535)] = 8000,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the SQLite database lives (default ./ledokol-data).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Concurrent solves (each gets CPUs / workers).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL, e.g. postgresql+psycopg://...")
    ] = None,
    keys_file: Annotated[
        Path | None, typer.Option(help="API keys, one a line (or LEDOKOL_API_KEYS).")
    ] = None,
    max_time_limit: Annotated[
        float | None, typer.Option(min=0.1, help="Default per-key cap on a solve's seconds.")
    ] = None,
) -> None:
    """Run the planning service (HTTP API under /v1, OpenAPI at /docs)."""
    import logging

    import uvicorn
    from pydantic import ValidationError

    from api.app import create_app
    from api.settings import from_environment

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = from_environment(
            host=host,
            port=port,
            data_dir=data_dir,
            workers=workers,
            database_url=database_url,
            api_keys_file=keys_file,
            max_time_limit=max_time_limit,
        )
    except ValidationError as error:  # a setting of the wrong kind, or a bad keys file
        for e in error.errors():
            name = ".".join(str(x) for x in e["loc"])
            where = f"LEDOKOL_{name.upper()}: " if name else ""
            typer.echo(f"cannot start: {where}{e['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    except OSError as error:
        typer.echo(f"cannot start: {error}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    if not settings.keys:
        typer.echo(
            "cannot start: no API keys; set LEDOKOL_API_KEYS=key1,key2 or pass --keys-file",
            err=True,
        )
        raise typer.Exit(EXIT_INVALID)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
