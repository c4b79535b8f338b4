"""The `ledokol` command line.

Exit codes: 0 done, 2 invalid input (a message naming the field and entity, no traceback).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from optimizer.plan import Plan
from optimizer.scenario import InvalidInput, Scenario, load_scenario, readable_errors
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan

EXIT_INVALID = 2

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


def _scenario(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except InvalidInput as error:
        _fail(error)


def load_plan(path: Path) -> Plan:
    """Read a plan file; `InvalidInput` names what is wrong."""
    from pydantic import ValidationError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"cannot read plan {path}", [error.strerror or str(error)]) from None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"invalid plan {path}", [f"not JSON: {error.msg} at line {error.lineno}"]
        ) from None
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(f"invalid plan {path}", readable_errors(error, data)) from None


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="Scenario JSON file.")]) -> None:
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
    scenario: Annotated[Path, typer.Argument(help="Scenario JSON file.")],
    plan: Annotated[
        Path | None, typer.Argument(help="Plan JSON file; omitted: the status quo.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the evaluated plan as JSON (spec section 7).")
    ] = False,
) -> None:
    """Score a plan with the simulator: KPIs, territories and every broken hard rule."""
    s = _scenario(scenario)
    try:
        the_plan = load_plan(plan) if plan is not None else status_quo_plan(s)
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


class SchemaKind(StrEnum):
    scenario = "scenario"
    plan = "plan"


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
) -> None:
    """Generate a valid scenario of any size on real town coordinates."""
    from optimizer.generate import generate_data

    try:
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
