"""The plots of RESULTS.md, drawn from the stored JSON (PNG, matplotlib, no display needed)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

HERE = Path(__file__).resolve().parent
PLOTS = HERE / "plots"
PEERS = ("greedy", "ledokol", "cp-sat tuned", "cp-sat default", "highs", "scip")


def draw_all() -> list[Path]:
    PLOTS.mkdir(exist_ok=True)
    drawn = []
    peers_file = HERE / "results" / "peers.json"
    if peers_file.exists():
        rows = json.loads(peers_file.read_text())
        drawn.append(peers_quality(rows))
        drawn.append(peers_trajectories(rows, ["crimea", "M"]))
    scaling_file = HERE / "results" / "scaling.json"
    if scaling_file.exists():
        scaling = json.loads(scaling_file.read_text())
        drawn.append(scaling_plot(scaling["reps"], "reps", "scaling_reps.png"))
        drawn.append(scaling_plot(scaling["periods"], "periods", "scaling_periods.png"))
    return drawn


def peers_quality(rows: list[dict]) -> Path:
    """Each peer's score as a share of the instance's best known bound."""
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(PEERS)
    for k, peer in enumerate(PEERS):
        values = []
        for row in rows:
            p = next(x for x in row["peers"] if x["peer"] == peer)
            ok = p["score"] is not None and row["best_bound"]
            values.append(100 * p["score"] / row["best_bound"] if ok else 0)
        xs = [i + (k - len(PEERS) / 2 + 0.5) * width for i in range(len(rows))]
        ax.bar(xs, values, width, label=peer)
    ax.set_xticks(range(len(rows)), [r["instance"] for r in rows], rotation=20)
    ax.set_ylabel("score, % of best known bound")
    ax.set_ylim(50, 101)
    ax.set_title("Same instance, same time budget (no bar: no feasible plan in time)")
    ax.legend(ncol=3, fontsize=8, loc="lower right")
    fig.tight_layout()
    path = PLOTS / "peers_quality.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def peers_trajectories(rows: list[dict], instances: list[str]) -> Path:
    """Incumbent over time, per peer."""
    chosen = [r for r in rows if r["instance"] in instances]
    fig, axes = plt.subplots(1, len(chosen), figsize=(6 * len(chosen), 4), squeeze=False)
    for ax, row in zip(axes[0], chosen, strict=True):
        for p in row["peers"]:
            points = p.get("incumbents") or []
            if not points:
                continue
            ts = [t for t, _ in points] + [row["time_limit"]]
            vs = [v / 1e6 for _, v in points] + [points[-1][1] / 1e6]
            ax.step(ts, vs, where="post", label=p["peer"])
        if row["best_bound"]:
            ax.axhline(row["best_bound"] / 1e6, color="grey", ls="--", label="best known bound")
        ax.set_title(f"{row['instance']} ({row['time_limit']:g} s each)")
        ax.set_xlabel("seconds")
        ax.set_ylabel("score, M")
        ax.legend(fontsize=7)
    fig.tight_layout()
    path = PLOTS / "peers_trajectories.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def scaling_plot(rows: list[dict], axis: str, name: str) -> Path:
    xs = [r[axis] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(xs, [r["build_s"] for r in rows], "o-")
    axes[0].set_ylabel("model build, s")
    axes[1].plot(xs, [r["peak_rss_gib"] for r in rows], "o-")
    axes[1].set_ylabel("peak memory, GiB")
    reached = [
        (x, r["seconds_to_gap"]) for x, r in zip(xs, rows, strict=True) if r["seconds_to_gap"]
    ]
    axes[2].plot(xs, [r["final_gap_pct"] or 0 for r in rows], "o-", label="gap at the end, %")
    if reached:
        twin = axes[2].twinx()
        twin.plot(*zip(*reached, strict=True), "s--", color="tab:orange", label="s to target")
        twin.set_ylabel("seconds to the target gap")
    axes[2].set_ylabel("gap, %")
    for ax in axes:
        ax.set_xlabel(axis)
        if axis == "reps":
            ax.set_xscale("log")
    target = rows[0].get("target_gap_pct")
    fig.suptitle(f"Scaling with {axis} (target gap {target} %, cap {rows[0].get('cap_s')} s)")
    fig.tight_layout()
    path = PLOTS / name
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
