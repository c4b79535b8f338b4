"""The plan for people to read: the terminal, the Excel workbook and the HTML page."""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.scenario import Scenario


def roster_order(s: Scenario, people: Iterable[str]) -> list[str]:
    """The people of a plan as every report lists them: the reps in the scenario's order, then
    the positions in theirs, then anyone else in the order first seen; never the order the
    plan's rows happen to come in."""
    seen = {x: i for i, x in enumerate(dict.fromkeys(people))}
    rank = {x.id: i for i, x in enumerate(s.persons)}
    return sorted(seen, key=lambda x: (rank.get(x, len(rank)), seen[x]))
