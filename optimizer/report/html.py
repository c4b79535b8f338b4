"""A plan as one self-contained HTML page: inline CSS and SVG, no script, no network.

Sections: the verdict (status, score, bound, gap), KPI cards against the status quo, the person
x period schedule coloured by territory with the role in each cell, accounts and prospect pool
per territory over time, the targets, and the explanation when the scenario is infeasible.
"""

from __future__ import annotations

from html import escape
from typing import Any

from optimizer.plan import Plan, Target
from optimizer.report import roster_order
from optimizer.scenario import Scenario
from optimizer.simulate import Evaluation

PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf",
)  # fmt: skip
ROLE_MARK = {"hunter": "H", "farmer": "F", "trainee": "T", "bench": "B", "off": ""}

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.verdict{color:#555;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:150px}
.card .k{font-size:12px;color:#666}.card .v{font-size:18px;font-weight:600}
.card .d{font-size:12px}.up{color:#2a7a2a}.down{color:#b03030}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4} td.l,th.l{text-align:left}
.legend span{display:inline-block;margin-right:12px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px}
.explanation{white-space:pre-wrap;background:#fff4f4;border:1px solid #e5b5b5;padding:12px}
svg text{font-size:11px}
"""


def plan_report(s: Scenario, plan: Plan, comparison: dict[str, Any] | None = None) -> str:
    """The page of a stored plan: the plan simulated (when it has rows) beside the status quo,
    and the levers of its comparison when it came from one."""
    from optimizer.simulate import simulate
    from optimizer.status_quo import status_quo_plan

    evaluation = simulate(s, plan) if plan.assignments else None
    return render_html(s, plan, evaluation, simulate(s, status_quo_plan(s)), comparison)


def render_html(
    s: Scenario,
    plan: Plan,
    evaluation: Evaluation | None,
    status_quo: Evaluation | None,
    comparison: dict[str, Any] | None = None,
) -> str:
    """The plan as one HTML page; `comparison` (a `Comparison.as_dict()`) adds the levers."""
    colours = {t.id: PALETTE[i % len(PALETTE)] for i, t in enumerate(s.territories)}
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(s.name)}: plan</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(s.name)}</h1>",
        f"<div class='verdict' id='verdict'>{escape(_verdict(plan))}</div>",
    ]
    if plan.explanation:
        parts.append("<h2>Why there is no plan</h2>")
        parts.append(f"<div class='explanation' id='explanation'>{escape(plan.explanation)}</div>")
    if evaluation is not None:
        parts.append("<h2>Against the status quo</h2>")
        parts.append(_cards(s, evaluation, status_quo))
    if comparison is not None:
        parts.append("<h2>Levers compared</h2>")
        parts.append(_levers(s, comparison))
    if plan.assignments:
        parts.append("<h2>Schedule</h2>")
        parts.append(_legend(s, colours))
        parts.append(_schedule(s, plan, colours))
    if plan.territory_periods:
        parts.append("<h2>Accounts and prospect pool by territory</h2>")
        parts.append(_territory_charts(s, plan, colours))
    if plan.attainment is not None and plan.kpis is not None:
        parts.append("<h2>Chances</h2>")
        parts.append(_chances(s, plan))
    if plan.targets:
        parts.append("<h2>Targets</h2>")
        parts.append(_targets(s, plan))
    parts.append("</body></html>")
    return "".join(parts)


def _verdict(plan: Plan) -> str:
    bits: list[str] = [plan.status]
    if plan.score is not None:
        bits.append(f"score {plan.score:,}")
    if plan.best_bound is not None:
        bits.append(f"bound {plan.best_bound:,}")
    if plan.gap_pct is not None:
        bits.append(f"gap {plan.gap_pct:.2f} %")
    if plan.solve_seconds is not None:
        bits.append(f"{plan.solve_seconds:.1f} s")
    return " · ".join(bits)


CARDS = (
    ("score", "Score"),
    ("profit", "Profit"),
    ("new_clients", "New clients"),
    ("revenue_total", "Revenue"),
    ("terminal", "Terminal value"),
    ("salaries", "Salaries"),
    ("hiring_cost", "Hiring"),
    ("travel", "Travel"),
    ("bonus_cost", "Bonus"),
    ("handover", "Hand-over"),
    ("penalties", "Penalties"),
)
COSTS = {"salaries", "hiring_cost", "travel", "bonus_cost", "handover", "penalties"}


def _cards(s: Scenario, ev: Evaluation, sq: Evaluation | None) -> str:
    out = ["<div class='cards' id='kpis'>"]
    for key, label in CARDS:
        value = ev.score if key == "score" else getattr(ev.kpis, key)
        line = ""
        if sq is not None:
            base = sq.score if key == "score" else getattr(sq.kpis, key)
            delta = value - base
            good = (delta <= 0) if key in COSTS else (delta >= 0)
            klass = "up" if good else "down"
            line = (
                f"<div class='d {klass}'>{delta:+,} vs status quo {base:,}"
                f"{'' if key != 'score' or not sq.violations else ' (breaks rules)'}</div>"
            )
        unit = "" if key == "new_clients" else f" {escape(s.currency)}"
        out.append(
            f"<div class='card'><div class='k'>{escape(label)}</div>"
            f"<div class='v'>{value:,}{unit}</div>{line}</div>"
        )
    out.append("</div>")
    return "".join(out)


def _legend(s: Scenario, colours: dict[str, str]) -> str:
    items = "".join(
        f"<span><i style='background:{colours[t.id]}'></i>{escape(t.id)} {escape(t.name)}</span>"
        for t in s.territories
    )
    roles = "H hunter · F farmer · T trainee · B bench · empty: off"
    return f"<div class='legend'>{items}<span>{roles}</span></div>"


def _schedule(s: Scenario, plan: Plan, colours: dict[str, str]) -> str:
    cells: dict[tuple[str, int], tuple[str, str | None]] = {}
    for a in plan.assignments:
        cells[a.person, a.period] = (a.role, a.territory)
    people = roster_order(s, (a.person for a in plan.assignments))
    names = {r.id: r.name for r in s.reps}
    left, top, w, h = 170, 22, 58, 20
    width = left + w * s.periods + 10
    height = top + h * len(people) + 10
    svg = [
        f"<svg id='schedule-chart' role='img' aria-label='person by period schedule' "
        f"xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"
    ]
    for p in range(s.periods):
        x = left + p * w + w / 2
        svg.append(f"<text x='{x}' y='14' text-anchor='middle'>{s.period_label(p)}</text>")
    for i, person in enumerate(people):
        y = top + i * h
        label = f"{person} {names.get(person, 'new hire')}"
        svg.append(f"<text x='4' y='{y + 14}'>{escape(label[:26])}</text>")
        for p in range(s.periods):
            role, territory = cells.get((person, p), ("off", None))
            fill = colours.get(territory or "", "#eeeeee" if role != "off" else "#ffffff")
            x = left + p * w
            title = f"{person} {s.period_label(p)}: {role}" + (f" {territory}" if territory else "")
            svg.append(
                f"<g><title>{escape(title)}</title>"
                f"<rect x='{x}' y='{y}' width='{w - 2}' height='{h - 2}' fill='{fill}' "
                f"stroke='#ccc' class='cell {role}'/>"
            )
            mark = ROLE_MARK.get(role, "")
            text = f"{mark} {territory}" if territory else mark
            colour = "#fff" if territory else "#333"
            svg.append(
                f"<text x='{x + (w - 2) / 2}' y='{y + 13}' text-anchor='middle' "
                f"fill='{colour}'>{escape(text)}</text></g>"
            )
    svg.append("</svg>")
    return "".join(svg)


def _territory_charts(s: Scenario, plan: Plan, colours: dict[str, str]) -> str:
    by_t: dict[str, list[tuple[int, int, int]]] = {}
    for r in plan.territory_periods:
        by_t.setdefault(r.territory, []).append((r.period, r.accounts, r.pool))
    out = ["<div class='cards' id='territory-charts'>"]
    w, h, pad = 220, 110, 24
    for t in s.territories:
        rows = sorted(by_t.get(t.id, []))
        if not rows:
            continue
        top = max(max(a, b) for _, a, b in rows) or 1
        n = max(1, len(rows) - 1)
        scale = (w - 2 * pad) / n

        def points(
            index: int, rows: list[tuple[int, int, int]] = rows, top: int = top, step: float = scale
        ) -> str:
            return " ".join(
                f"{pad + step * k:.1f},{h - pad - (h - 2 * pad) * r[index] / top:.1f}"
                for k, r in enumerate(rows)
            )

        out.append(
            f"<div class='card'><div class='k'>{escape(t.id)} {escape(t.name)}</div>"
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}'>"
            f"<polyline points='{points(1)}' fill='none' stroke='{colours[t.id]}' "
            f"stroke-width='2'/>"
            f"<polyline points='{points(2)}' fill='none' stroke='#999' stroke-dasharray='4 3' "
            f"stroke-width='2'/>"
            f"<text x='{pad}' y='12'>accounts {rows[0][1]}→{rows[-1][1]} · "
            f"pool {rows[0][2]}→{rows[-1][2]}</text>"
            f"<text x='{pad}' y='{h - 6}'>{s.period_label(rows[0][0])}</text>"
            f"<text x='{w - pad}' y='{h - 6}' text-anchor='end'>"
            f"{s.period_label(rows[-1][0])}</text></svg></div>"
        )
    out.append(
        "</div><div class='legend'><span>solid: accounts</span>"
        "<span>dashed: prospect pool</span></div>"
    )
    return "".join(out)


def _pct(p: float | None) -> str:
    return "–" if p is None else f"{100 * p:.0f} %"


def _targets(s: Scenario, plan: Plan) -> str:
    noisy = plan.attainment is not None

    def chances(t: Target) -> str:
        if not noisy:
            return ""
        return (
            f"<td>{_pct(t.p_new_clients)}</td><td>{_pct(t.p_revenue)}</td><td>{_pct(t.p_both)}</td>"
        )

    rows = "".join(
        f"<tr><td class='l'>{escape(t.person)}</td><td class='l'>{s.period_label(t.from_period)}"
        f" – {s.period_label(t.to_period)}</td><td>{t.new_clients:,}</td>"
        f"<td>{t.revenue:,}</td>{chances(t)}</tr>"
        for t in plan.targets
    )
    head = "<th>chance: clients</th><th>chance: revenue</th><th>both</th>" if noisy else ""
    return (
        "<table id='targets'><tr><th class='l'>person</th><th class='l'>period</th>"
        f"<th>new clients</th><th>revenue</th>{head}</tr>{rows}</table>"
    )


def _chances(s: Scenario, plan: Plan) -> str:
    """Section 8 as two pictures: the profit's P10-P90 band against the expected course, and
    how the target rows' chances (both components) are spread."""
    a, k = plan.attainment, plan.kpis
    assert a is not None and k is not None
    w, h, pad = 640, 90, 90
    low = min(a.profit.p10, k.profit)
    high = max(a.profit.p90, k.profit)
    span = max(high - low, 1)

    def x(v: int) -> float:
        return pad + (w - 2 * pad) * (v - low) / span

    band = (
        f"<svg id='profit-spread' role='img' aria-label='profit P10 to P90' "
        f"xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}'>"
        f"<rect x='{x(a.profit.p10):.1f}' y='30' width='{x(a.profit.p90) - x(a.profit.p10):.1f}'"
        " height='24' fill='#9ecae1'/>"
        f"<line x1='{x(a.profit.p50):.1f}' x2='{x(a.profit.p50):.1f}' y1='26' y2='58' "
        "stroke='#08519c' stroke-width='3'/>"
        f"<line x1='{x(k.profit):.1f}' x2='{x(k.profit):.1f}' y1='22' y2='62' stroke='#d62728' "
        "stroke-dasharray='4 3' stroke-width='2'/>"
        f"<text x='{x(a.profit.p10):.1f}' y='78' text-anchor='middle'>P10 {a.profit.p10:,}</text>"
        f"<text x='{x(a.profit.p90):.1f}' y='78' text-anchor='middle'>P90 {a.profit.p90:,}</text>"
        f"<text x='{x(a.profit.p50):.1f}' y='18' text-anchor='middle'>P50 {a.profit.p50:,}</text>"
        f"<text x='{x(k.profit):.1f}' y='10' text-anchor='middle' fill='#d62728'>expected "
        f"{k.profit:,}</text></svg>"
    )
    bins = [0] * 10
    for t in plan.targets:
        if t.p_both is not None:
            bins[min(9, int(t.p_both * 10))] += 1
    top = max(bins) or 1
    bw, bh, pad = 40, 100, 30
    bars = "".join(
        f"<rect x='{pad + i * bw}' y='{10 + bh - bh * n / top:.1f}' width='{bw - 4}' "
        f"height='{bh * n / top:.1f}' fill='#74c476'><title>{10 * i}-{10 * i + 10} %: {n} "
        "target rows</title></rect>"
        f"<text x='{pad + i * bw + (bw - 4) / 2}' y='{bh + 26}' text-anchor='middle'>"
        f"{10 * i}</text>"
        for i, n in enumerate(bins)
    )
    histogram = (
        f"<svg id='chance-histogram' role='img' aria-label='target rows by chance' "
        f"xmlns='http://www.w3.org/2000/svg' width='{2 * pad + 10 * bw}' height='{bh + 34}'>"
        f"{bars}</svg>"
    )
    goals = "".join(
        f"<div class='card'><div class='k'>chance of the {label} goal</div>"
        f"<div class='v'>{_pct(p)}</div></div>"
        for label, p in (("new clients", a.p_goal_new_clients), ("revenue", a.p_goal_revenue))
        if p is not None
    )
    return (
        f"<p>{a.samples:,} noisy courses of the plan (seed {a.seed}, "
        "docs/uncertainty.md).</p>"
        f"<div class='cards' id='chance-cards'>{goals}<div class='card'><div class='k'>targets "
        f"attained on average</div><div class='v'>{_pct(a.share_attained)}</div></div></div>"
        "<h3>Profit: P10 to P90 (band), P50 (solid), the expected course (dashed)</h3>"
        f"{band}<h3>Target rows by the chance of reaching both components (%)</h3>{histogram}"
    )


def _levers(s: Scenario, comparison: dict[str, Any]) -> str:
    """The ranked lever combinations and the recommendation."""
    from optimizer.compare import LABELS

    def cell(value: Any) -> str:
        return (
            "-" if value is None else f"{value:,}" if isinstance(value, int) else escape(str(value))
        )

    rows = []
    noisy = any(c.get("uncertainty") for c in comparison["ranked"])
    for rank, c in enumerate(comparison["ranked"], 1):
        levers = " + ".join(LABELS[lever] for lever in c["levers"]) or "none"
        goals = c["goals_realistic"]
        met = (
            "-"
            if goals is None
            else ", ".join(
                f"{name} {'met' if goals[key] else 'missed'}"
                for key, name in (("new_clients", "clients"), ("revenue", "revenue"))
            )
        )
        values = [
            c["score"] if c["score"] is not None else f"no plan ({c['status']})",
            c.get("bound"),
            None if c.get("gap_pct") is None else f"{c['gap_pct']:.1f} %",
            c["profit"],
            c["new_clients"],
            c["revenue"],
            c["hires"],
            c["travel"],
            c["bonus_cost"],
        ]
        spread = c.get("uncertainty")
        if noisy:  # section 8: the plan's profit over the sampled courses
            values += (
                [None, None]
                if spread is None
                else [
                    f"{spread['profit_p10']:,} – {spread['profit_p90']:,}",
                    _pct(spread["p_beats_status_quo"]),
                ]
            )
        rows.append(
            f"<tr><td>{rank}</td><td>{escape(levers)}</td>"
            + "".join(f"<td class='num'>{cell(v)}</td>" for v in values)
            + f"<td>{escape(met)}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "#",
            "levers",
            f"score, {escape(s.currency)}",
            "bound",
            "gap",
            "profit",
            "new clients",
            "revenue",
            "hires",
            "travel",
            "bonus cost",
            *(("profit P10 – P90", "beats status quo") if noisy else ()),
            "goals",
        )
    )
    return (
        f"<p class='recommendation' id='recommendation'>{escape(comparison['recommendation'])}</p>"
        f"<table class='levers' id='levers'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
