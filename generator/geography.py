"""Country outlines for maps drawn at build time, and the projection that draws them.

The outlines are Natural Earth's 1:110m countries as shipped (GeoJSON) inside the
``countryinfo`` package, so nothing is fetched when a site is built or read. They are
read once per process: this is static package data, not build state.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) pairs


@dataclass(frozen=True)
class Outline:
    iso2: str
    name: str
    rings: tuple[Ring, ...]
    bounds: tuple[float, float, float, float]  # west, south, east, north


@functools.cache
def outlines() -> dict[str, Outline]:
    """Every country the package has an outline for, by ISO 3166-1 alpha-2 code."""
    found: dict[str, Outline] = {}
    data = importlib.resources.files("countryinfo") / "data"
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        info = json.loads(entry.read_text(encoding="utf-8"))
        iso2 = str(info.get("ISO", {}).get("alpha2", "")).upper()
        rings = tuple(_rings(info.get("geoJSON") or {}))
        if len(iso2) != 2 or not rings or iso2 in found:
            continue
        lons = [p[0] for ring in rings for p in ring]
        lats = [p[1] for ring in rings for p in ring]
        found[iso2] = Outline(
            iso2, str(info.get("name", iso2)), rings, (min(lons), min(lats), max(lons), max(lats))
        )
    return found


def _rings(geojson: dict[str, object]) -> Iterator[Ring]:
    features = geojson.get("features", [])
    assert isinstance(features, list)
    for feature in features:
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            if polygon:  # the outer ring only: the 1:110m holes are too small to draw
                yield tuple((float(lon), float(lat)) for lon, lat, *_ in polygon[0])


@dataclass(frozen=True)
class Projection:
    """Equirectangular, with longitudes shrunk by the cosine of the middle latitude so
    that shapes near the area shown keep their proportions."""

    west: float
    north: float
    scale: float  # pixels per degree of latitude
    squeeze: float  # cos(middle latitude)
    width: float
    height: float

    @classmethod
    def fitting(
        cls, points: Iterable[tuple[float, float]], width: float = 760, max_height: float = 460
    ) -> Projection:
        """A view of all ``points`` (lon, lat) with a margin, at least 24° wide."""
        pts = list(points) or [(66.0, 34.0)]
        west, east = min(p[0] for p in pts), max(p[0] for p in pts)
        south, north = min(p[1] for p in pts), max(p[1] for p in pts)
        margin = max(3.0, 0.08 * max(east - west, north - south))
        west, east, south, north = west - margin, east + margin, south - margin, north + margin
        if east - west < 24:
            middle = (east + west) / 2
            west, east = middle - 12, middle + 12
        if north - south < 12:
            middle = (north + south) / 2
            south, north = middle - 6, middle + 6
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -85.0), min(north, 85.0)
        squeeze = math.cos(math.radians((north + south) / 2))
        scale = width / ((east - west) * squeeze)
        height = (north - south) * scale
        if height > max_height:
            scale = max_height / (north - south)
            height = max_height
            width = (east - west) * squeeze * scale
        return cls(west, north, scale, squeeze, round(width), round(height))

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.squeeze * self.scale, (self.north - lat) * self.scale

    def sees(self, bounds: tuple[float, float, float, float]) -> bool:
        west, south, east, north = bounds
        x0, y0 = self(west, north)
        x1, y1 = self(east, south)
        return x1 >= 0 and y1 >= 0 and x0 <= self.width and y0 <= self.height

    @property
    def detail(self) -> float:
        """The coarsest drawing of the outlines (:data:`DETAILS`) whose unit is at most
        one pixel of this view."""
        return next((d for d in reversed(DETAILS) if d >= self.scale), DETAILS[0])

    def transform(self, detail: float) -> str:
        """The SVG transform that puts a drawing made at ``detail`` into this view:
        ``x = (lon - west) * squeeze * scale`` and ``y = (north - lat) * scale`` are affine
        in the drawing's units, so every map shares the drawings and scales them."""
        across = self.squeeze * self.scale
        return (
            f"matrix({_ratio(across / detail)} 0 0 {_ratio(self.scale / detail)} "
            f"{number(-self.west * across)} {number(self.north * self.scale)})"
        )

    def outline(self, iso: str, detail: float) -> str:
        """A country's path data at ``detail``, its rings out of this view left out."""
        return "".join(path for bounds, path in drawing(iso, detail) if self.sees(bounds))


DETAILS = (80.0, 40.0, 20.0, 10.0, 5.0, 2.5, 1.25)
"""Units per degree of each drawing of the outlines, finest first. A map uses the coarsest
whose unit is at most one of its pixels, so its paths carry about as many points as it
can show; a view is at most about 40 pixels per degree (24 degrees wide, 12 high)."""


@functools.cache
def drawing(iso: str, detail: float) -> tuple[tuple[tuple[float, float, float, float], str], ...]:
    """A country's outline drawn once at ``detail`` units per degree (x east, y south):
    each ring's bounds and compact SVG path data (whole units, relative steps, points
    within one and a half units of the last one left out). Static data: kept per process."""
    drawn = []
    for ring in outlines()[iso].rings:
        xs = [round(lon * detail) for lon, _ in ring]
        ys = [round(-lat * detail) for _, lat in ring]
        steps: list[int] = []
        px, py = xs[0], ys[0]
        for x, y in zip(xs, ys, strict=True):
            if abs(x - px) + abs(y - py) < 2:
                continue
            steps.append(x - px)
            steps.append(y - py)
            px, py = x, y
        if len(steps) < 4:  # fewer than three points
            continue
        # `dx dy` pairs with the separators SVG needs: none before a minus sign
        text = " ".join(map(str, steps)).replace(" -", "-")
        drawn.append((_bounds(ring), f"M{xs[0]} {ys[0]}l{text}z"))
    return tuple(drawn)


def _ratio(value: float) -> str:
    """A scale factor as short, stable text, precise to a hundredth of a pixel across the world."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


@functools.cache
def _bounds(ring: Ring) -> tuple[float, float, float, float]:
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def number(value: float) -> str:
    """A coordinate as short, stable text: one decimal, no trailing ``.0``."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text
