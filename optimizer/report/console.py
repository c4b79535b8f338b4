"""Plain terminal views of an evaluation: KPI table, territories, violations (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.console import Console, JustifyMethod
from rich.table import Table

from optimizer.plan import Assignment, Plan, TerritoryPeriod, Violation
from optimizer.report import roster_order
from optimizer.scenario import Scenario
from optimizer.simulate import Evaluation

if TYPE_CHECKING:  # the comparison imports the reports
    from optimizer.compare import Comparison
    from optimizer.diff import PlanDiff
    from optimizer.why import Why

MONEY_ROWS: tuple[tuple[str, str, int], ...] = (
    # (field, label, sign in profit)
    ("margin_total", "margin", +1),
    ("terminal", "terminal value", +1),
    ("salaries", "salaries", -1),
    ("hiring_cost", "hiring", -1),
    ("travel", "travel", -1),
    ("bonus_cost", "acquisition bonus", -1),
    ("handover", "handover", -1),
    ("switches", "role switches", -1),
    ("bench", "bench", -1),
    ("profit", "profit", 0),
    ("penalties", "penalties", -1),
    ("score", "score", 0),
)


MAX_LISTED = 20  # hires named on the terminal
MAX_SCHEDULE_PEOPLE = 200  # above this the schedule stays in the files


def money(value: int | None, currency: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,}".replace(",", " ")
    return f"{text} {currency}".rstrip()


def kpi_table(s: Scenario, ev: Evaluation, title: str) -> Table:
    """Money lines of the score, then the counts and goals."""
    k = ev.kpis
    table = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False)
    table.add_column("kpi", style="bold")
    table.add_column("value", justify="right")
    for field, label, sign in MONEY_ROWS:
        value = getattr(k, field)
        shown = -value if sign < 0 and value else value
        style = "bold" if sign == 0 else ""
        table.add_row(label, money(shown, s.currency), style=style)
    table.add_row("", "")
    table.add_row("revenue", money(k.revenue_total, s.currency))
    table.add_row("new clients", f"{k.new_clients}")
    table.add_row("hires", f"{k.hires}")
    if k.goal_new_clients is not None:
        table.add_row(
            "goal new clients",
            f"{k.goal_new_clients} ({'realistic' if k.goals_realistic.new_clients else 'short by '}"
            f"{'' if k.goals_realistic.new_clients else k.shortfall_new_clients})",
        )
    if k.goal_revenue is not None:
        table.add_row(
            "goal revenue",
            f"{money(k.goal_revenue, s.currency)} "
            f"({'realistic' if k.goals_realistic.revenue else 'short by '}"
            f"{'' if k.goals_realistic.revenue else money(k.shortfall_revenue, s.currency)})",
        )
    table.add_row("targets: new clients", f"{k.targets_new_clients}")
    table.add_row("targets: revenue", money(k.targets_revenue, s.currency))
    if s.baseline is not None:
        table.add_row("changes vs baseline", f"{k.changes} ({money(k.change_cost, s.currency)})")
    return table


def territory_table(s: Scenario, ev: Evaluation) -> Table:
    """Per territory over the horizon: accounts and pool (start > end), new clients, margin."""
    table = Table(title="Territories over the horizon", title_justify="left", box=None)
    for name in ("id", "accounts", "pool", "won", "margin", "hunt-mo", "farm-mo", "name"):
        table.add_column(name, justify="left" if name in ("id", "name") else "right", no_wrap=True)
    by_t: dict[str, list[TerritoryPeriod]] = {}
    for row in ev.territory_periods:
        by_t.setdefault(row.territory, []).append(row)
    for t in s.territories:
        rows = by_t[t.id]
        last = rows[-1]
        table.add_row(
            t.id,
            f"{rows[0].accounts}>{last.accounts - last.churn + last.won}",
            f"{rows[0].pool}>{last.pool - last.won + t.prospect_inflow}",
            str(sum(r.won for r in rows)),
            money(sum(r.margin for r in rows)),
            str(sum(r.hunters for r in rows)),
            str(sum(r.farmers for r in rows)),
            t.name,
        )
    return table


def print_evaluation(console: Console, s: Scenario, ev: Evaluation, title: str) -> None:
    console.print(kpi_table(s, ev, title))
    console.print()
    console.print(territory_table(s, ev))
    console.print()
    print_violations(console, ev)


def grouped_violations(violations: tuple[Violation, ...]) -> list[str]:
    """One line per rule, entity and message, with the periods it holds in as ranges."""
    groups: dict[tuple[str, str, str], list[int | None]] = {}
    for v in violations:
        groups.setdefault((v.rule, v.entity, v.message), []).append(v.period)
    lines = []
    for (rule, entity, message), periods in groups.items():
        known = sorted(p for p in periods if p is not None)
        when = f" ({period_ranges(known)})" if known else ""
        lines.append(f"[{rule}] {entity}{when}: {message}")
    return lines


def period_ranges(periods: list[int]) -> str:
    """[0, 1, 2, 5] -> 'periods 0-2, 5'; [3] -> 'period 3'."""
    spans: list[list[int]] = []
    for p in periods:
        if spans and p == spans[-1][1] + 1:
            spans[-1][1] = p
        else:
            spans.append([p, p])
    text = ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in spans)
    return f"period{'s' if len(periods) > 1 else ''} {text}"


def print_violations(console: Console, ev: Evaluation, limit: int = 30) -> None:
    if ev.feasible:
        console.print("[green]No violations: every hard rule holds.[/green]")
        return
    n = len(ev.violations)
    lines = grouped_violations(ev.violations)
    console.print(f"[red]{n} violation{'s' if n != 1 else ''} of hard rules:[/red]")
    for line in lines[:limit]:
        console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    if len(lines) > limit:
        console.print(f"  ... and {len(lines) - limit} more lines (use --json for all)")


COMPARED: tuple[tuple[str, str], ...] = (
    ("score", "score"),
    ("profit", "profit"),
    ("margin_total", "margin"),
    ("terminal", "terminal value"),
    ("salaries", "salaries"),
    ("hiring_cost", "hiring"),
    ("travel", "travel"),
    ("bonus_cost", "acquisition bonus"),
    ("handover", "handover"),
    ("switches", "role switches"),
    ("bench", "bench"),
    ("penalties", "penalties"),
    ("revenue_total", "revenue"),
    ("new_clients", "new clients"),
    ("hires", "hires"),
)


def comparison_table(s: Scenario, plan: Evaluation, status_quo: Evaluation) -> Table:
    """The plan's KPIs against the status quo's, with the difference."""
    table = Table(title="Plan against the status quo", title_justify="left", box=None)
    table.add_column("kpi", style="bold")
    for name in ("status quo", "plan", "change"):
        table.add_column(name, justify="right")
    for field, label in COMPARED:
        before, after = getattr(status_quo.kpis, field), getattr(plan.kpis, field)
        table.add_row(label, money(before), money(after), _signed(after - before))
    if status_quo.violations:
        table.caption = (
            f"the status quo breaks {len(status_quo.violations)} hard rule(s); the plan none"
        )
        table.caption_justify = "left"
    return table


def _signed(value: int) -> str:
    return ("+" if value > 0 else "") + money(value) if value else "0"


def schedule_lines(s: Scenario, plan: Plan) -> list[str]:
    """Person x period as fixed-width text: `H:SIM` hunter, `F:SEV` farmer, `T`, `B`, `-`."""
    rows: dict[str, dict[int, Assignment]] = {}
    for a in plan.assignments:
        rows.setdefault(a.person, {})[a.period] = a
    codes = {
        person: [_code(rows[person].get(p)) for p in range(s.periods)]
        for person in roster_order(s, rows)
    }
    width = max([len(c) for line in codes.values() for c in line] + [5])
    name_width = max([len(x) for x in codes] + [6])
    header = (
        " " * name_width
        + " "
        + " ".join(s.period_label(p)[2:].ljust(width) for p in range(s.periods))
    )
    lines = [header.rstrip()]
    for person, line in codes.items():
        lines.append(person.ljust(name_width) + " " + " ".join(c.ljust(width) for c in line))
    return [x.rstrip() for x in lines]


def _code(a: Assignment | None) -> str:
    if a is None or a.role == "off":
        return "-"
    if a.role in ("trainee", "bench"):
        return a.role[0].upper()
    return f"{a.role[0].upper()}:{a.territory}"


def print_solution(
    console: Console, s: Scenario, plan: Plan, ev: Evaluation, status_quo: Evaluation
) -> None:
    """The summary of a solve: KPIs against the status quo, hires, bonus, goals, schedule."""
    console.print(comparison_table(s, ev, status_quo))
    console.print()
    if plan.hires:
        shown = plan.hires[:MAX_LISTED]
        hires = ", ".join(f"{h.person} from {s.period_label(h.start_period)}" for h in shown)
        more = len(plan.hires) - len(shown)
        hires += f" and {more} more ({len(plan.hires)} in all, in the plan file)" if more else ""
        console.print(f"[bold]Hires:[/bold] {hires}", highlight=False)
    else:
        console.print("[bold]Hires:[/bold] none")
    console.print(f"[bold]Bonus levels:[/bold] {' '.join(plan.bonus_levels)}", highlight=False)
    k = plan.kpis or ev.kpis  # the plan's: targets set by attainment are only there
    t = s.policy.active_targets
    how = (
        f"{t.realism_pct} % of what the plan expects"
        if t.attainment_pct is None or plan.attainment is None
        else f"each reached with a {t.attainment_pct} % chance"
    )
    console.print(
        f"[bold]Targets:[/bold] {k.targets_new_clients} new clients, "
        f"{money(k.targets_revenue, s.currency)} revenue "
        f"({how}, per {t.target_period}, {len(plan.targets)} personal targets)",
        highlight=False,
    )
    for goal, label, realistic, short in (
        (k.goal_new_clients, "new clients", k.goals_realistic.new_clients, k.shortfall_new_clients),
        (k.goal_revenue, "revenue", k.goals_realistic.revenue, k.shortfall_revenue),
    ):
        if goal is not None:
            verdict = "realistic" if realistic else f"not realistic, short by {money(short)}"
            console.print(f"[bold]Goal {label}:[/bold] {money(goal)}: {verdict}", highlight=False)
    console.print()
    if plan.attainment is not None:
        print_attainment(console, s, plan)
        console.print()
    people = len({a.person for a in plan.assignments})
    if people > MAX_SCHEDULE_PEOPLE:
        console.print(
            f"[bold]Schedule:[/bold] {people:,} people, too many for the terminal: see the plan "
            "file (--out) or the workbook (--xlsx)",
            highlight=False,
        )
        return
    console.print("[bold]Schedule[/bold] (H hunter, F farmer, T trainee, B bench, - off)")
    for line in schedule_lines(s, plan):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


MAX_TARGET_ROWS = 80  # target rows with their chances on the terminal


def chance(p: float | None) -> str:
    return "-" if p is None else f"{100 * p:.0f} %"


def print_attainment(console: Console, s: Scenario, plan: Plan) -> None:
    """Section 8 in the terminal: the company's spread, the goals' chances, and each target
    row with the chance of reaching it."""
    a = plan.attainment
    assert a is not None
    spread = "; ".join(
        f"{label} P10 {fmt(q.p10)}, P50 {fmt(q.p50)}, P90 {fmt(q.p90)}"
        for label, q, fmt in (
            ("profit", a.profit, lambda v: money(v, s.currency)),
            ("new clients", a.new_clients, money),
            ("revenue", a.revenue, lambda v: money(v, s.currency)),
        )
    )
    console.print(
        f"[bold]Chances[/bold] ({a.samples:,} noisy courses of the plan, seed {a.seed}): {spread}",
        highlight=False,
    )
    goals = [
        f"goal {label}: {chance(p)}"
        for label, p in (("new clients", a.p_goal_new_clients), ("revenue", a.p_goal_revenue))
        if p is not None
    ]
    attained = f"targets attained on average: {chance(a.share_attained)} of components"
    console.print("; ".join([*goals, attained]), highlight=False)
    table = Table(title="Targets and the chance of reaching them", title_justify="left")
    for name, justify in (
        ("person", "left"),
        ("name", "left"),
        ("months", "left"),
        ("clients", "right"),
        ("chance", "right"),
        ("revenue", "right"),
        ("chance", "right"),
        ("both", "right"),
    ):
        table.add_column(name, justify=cast("JustifyMethod", justify), no_wrap=True)
    rank = {x: i for i, x in enumerate(roster_order(s, (t.person for t in plan.targets)))}
    rows = sorted(plan.targets, key=lambda t: (rank[t.person], t.from_period))
    for t in rows[:MAX_TARGET_ROWS]:
        rep = s.rep_by_id.get(t.person)
        table.add_row(
            t.person,
            "" if rep is None else rep.name or "",
            s.period_label(t.from_period)
            + ("" if t.to_period == t.from_period else ".." + s.period_label(t.to_period)[-2:]),
            money(t.new_clients),
            chance(t.p_new_clients),
            money(t.revenue),
            chance(t.p_revenue),
            chance(t.p_both),
        )
    console.print(table)
    if len(rows) > MAX_TARGET_ROWS:
        console.print(
            f"... and {len(rows) - MAX_TARGET_ROWS:,} more rows in the plan file (--out) and the "
            "workbook (--xlsx)",
            highlight=False,
        )


def levers_table(comparison: Comparison) -> Table:
    """The lever combinations, best first."""
    from optimizer.compare import LEVERS

    table = Table(title=f"Levers compared on {comparison.scenario}", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("levers", "left"),
        ("score", "right"),
        ("bound", "right"),
        ("gap", "right"),
        ("profit", "right"),
        ("new clients", "right"),
        ("revenue", "right"),
        ("hires", "right"),
        ("travel", "right"),
        ("bonus cost", "right"),
        ("goals met", "left"),
    )
    noisy = any(c.spread is not None for c in comparison.ranked)
    if noisy:  # spec section 8: each plan's profit under uncertainty
        columns += (("profit P10-P90", "right"), ("beats status quo", "right"))
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for rank, combo in enumerate(comparison.ranked, 1):
        k = (
            combo.evaluation.kpis
            if combo.evaluation is not None and combo.score is not None
            else None
        )
        goals = None if k is None else k.goals_realistic
        met = (
            "-"
            if goals is None
            else f"clients {'yes' if goals.new_clients else 'no'} "
            f"revenue {'yes' if goals.revenue else 'no'}"
        )
        table.add_row(
            str(rank),
            " + ".join(lever for lever in LEVERS if lever in combo.levers) or "none",
            money(combo.score) if combo.score is not None else f"no plan ({combo.status})",
            money(combo.bound),
            "-" if combo.gap_pct is None else f"{combo.gap_pct:.1f} %",
            money(None if k is None else k.profit),
            "-" if k is None else str(k.new_clients),
            money(None if k is None else k.revenue_total),
            str(combo.hires),
            money(None if k is None else k.travel),
            money(None if k is None else k.bonus_cost),
            met,
            *(
                (
                    ("-", "-")
                    if combo.spread is None
                    else (
                        f"{money(combo.spread.p10)} - {money(combo.spread.p90)}",
                        chance(combo.spread.p_beats_status_quo),
                    )
                )
                if noisy
                else ()
            ),
        )
    return table


def print_comparison(console: Console, comparison: Comparison) -> None:
    # in a log or a pipe, one row per line rather than the 80 columns of no terminal
    width = console.width
    if not console.is_terminal:
        console.width = max(width, 180)
    try:
        console.print(levers_table(comparison))
    finally:
        console.width = width
    raced = (
        f", then {comparison.race_solves} more solves for the combinations the bounds left open"
        if comparison.race_solves
        else ""
    )
    console.print(
        f"{len(comparison.ranked)} combinations, {comparison.per_combination_seconds:.1f} s "
        f"each first{raced}, {comparison.seconds:.1f} s in all; status quo scores "
        f"{money(comparison.status_quo_score)} (goals charged in every score; the bound is "
        "the most any plan of that mix could score).",
        highlight=False,
    )
    console.print()
    console.print(comparison.recommendation, highlight=False, soft_wrap=True)


def print_why(console: Console, s: Scenario, answer: Why) -> None:
    """Each alternative of a person-month: its score change by KPI term, or why it cannot be."""
    here = answer.cell
    where = f"{here.role} in {here.territory}" if here.territory else here.role
    console.print(
        f"[bold]{answer.person} in {s.period_label(answer.period)}[/bold]: {where}; the plan "
        f"scores {money(answer.score, s.currency)}",
        highlight=False,
    )
    table = Table(show_header=True, header_style="bold")
    for name, justify in (("instead", "left"), ("score change", "right"), ("why", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]  # rich's Literal
    for a in answer.alternatives:
        if a.status == "plan":
            continue
        state = f"{a.cell.role} {a.cell.territory}" if a.cell.territory else a.cell.role
        if a.status == "priced":
            words = dict(COMPARED)
            ranked = sorted(a.terms.items(), key=lambda x: x[1])
            terms = ", ".join(f"{words.get(t, t)} {v:+,}" for t, v in ranked)
            moved = f"; {a.changed} other person-month(s) move" if a.changed else ""
            if a.how == "as is":  # only his own months move: the cell and a stint around it
                stint = f"; his stint extended by {a.changed} month(s)" if a.changed else ""
                moved = f"{stint}; nobody else moves"
            gap = f"; within {a.gap_pct:g} % of the bound" if a.gap_pct is not None else ""
            table.add_row(state, f"{a.delta:+,}", (terms or "no term changes") + moved + gap)
        elif a.status == "impossible":
            table.add_row(state, "-", a.reason or "")
        else:
            table.add_row(state, "?", "no plan with this cell found in the time")
    console.print(table)


def print_diff(console: Console, s: Scenario, answer: PlanDiff, a: str, b: str) -> None:
    """The KPIs of two plans and B - A, then the person-months that differ."""
    table = Table(show_header=True, header_style="bold")
    for name in ("", a, b, f"{b} - {a}"):
        table.add_column(name, justify="left" if not name else "right")
    for _, label, x, y in answer.kpis:
        table.add_row(label, money(x), money(y), _signed(y - x))
    console.print(table)
    for name, ok, broken in zip((a, b), answer.feasible, answer.violations, strict=True):
        if not ok:
            console.print(f"{name} breaks {broken} rule(s) (ledokol evaluate shows which)")
    n = len(answer.changes)
    console.print(f"[bold]{n} person-month(s) differ[/bold]", highlight=False)
    for c in answer.changes[:MAX_CHANGES]:
        console.print(
            f"  {c.person} {s.period_label(c.period)}: {c.before} -> {c.after}", highlight=False
        )
    if n > MAX_CHANGES:
        console.print(f"  ... and {n - MAX_CHANGES} more (--json for all)")


MAX_CHANGES = 40
