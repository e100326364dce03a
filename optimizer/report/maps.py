"""Maps per gemeente: colour classes, inline SVG choropleths for report.html and map.png.

Boundaries come from :func:`optimizer.data.geo.load_shapes` (the embedded file by default), so
maps need no GIS stack. Colour scales (ColorBrewer, readable and colour-blind safe where it
matters):

* ``diverging``: seven classes around zero: exactly zero (near-white; within :data:`ZERO`
  times a class width) and three classes on either side (blue below, red above), each side's
  class width a third of its largest absolute value rounded up to a "nice" number (1, 2, 2.5,
  5 times a power of ten), so every value falls in a class and neither side wastes classes
  (a shortfall is at most -1 where an excess may be +5);
* ``sequential``: five classes of a nice width from ``min(0, lowest)`` up, light to dark blue;
* ``stoplicht``: the values ``green``, ``orange``, ``red`` in those three colours.

A gemeente without a value is light grey ("geen gegevens").
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.geo import ATTRIBUTION, Shapes, project
from optimizer.report.strings import number, text

DIVERGING = ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b")
SEQUENTIAL = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
STOPLICHT = {"green": "#1a9850", "orange": "#f39c12", "red": "#d73027"}
MISSING = "#dddddd"
#: On the diverging scale, values within this fraction of a class width of zero count as zero.
ZERO = 1e-9
#: Width of the SVG viewBox; coordinates are integers in it.
SVG_WIDTH = 1000


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str


@dataclass(frozen=True)
class Classes:
    """A colour per gemeente (``fill``, indexed by code) and the legend that explains them."""

    fill: pd.Series
    legend: list[LegendEntry]
    labels: pd.Series  # the value as shown on hover


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= ``x`` (``x > 0``)."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    p = 10.0 ** math.floor(math.log10(x))
    return next(m * p for m in (1, 2, 2.5, 5, 10) if m * p >= x * (1 - 1e-12))


def _decimals(step: float) -> int:
    """The fewest decimals (at most 4) that write a class width of ``step`` exactly (2 -> 0, 2.5 -> 1)."""
    return next((d for d in range(5) if abs(step * 10**d - round(step * 10**d)) < 1e-9 * max(1, step * 10**d)), 4)


def classify(values: pd.Series, scale: str, lang: str) -> Classes:
    """The colour of every value of ``values`` (by code) on ``scale``, and the legend."""
    if scale == "stoplicht":
        v = values.astype(str).str.lower()
        fill = v.map(STOPLICHT).fillna(MISSING)
        legend = [LegendEntry(c, text(lang, f"stoplicht_{k}")) for k, c in STOPLICHT.items()]
        labels = v.map(lambda k: text(lang, f"stoplicht_{k}") if k in STOPLICHT else text(lang, "no_value"))
        return Classes(fill, legend, labels)
    num = pd.to_numeric(values, errors="coerce").astype(float)
    finite = num[np.isfinite(num)]
    if scale == "diverging":
        low = -float(finite.min()) if len(finite) and finite.min() < 0 else 0.0
        high = float(finite.max()) if len(finite) and finite.max() > 0 else 0.0
        below = nice_ceiling((low or high or 3.0) / 3)
        above = nice_ceiling((high or low or 3.0) / 3)
        edges = np.concatenate([np.array([-3, -2, -1, -ZERO]) * below, np.array([ZERO, 1, 2, 3]) * above])
        step = min(below, above)
        colours = DIVERGING
    elif scale == "sequential":
        low = min(0.0, float(finite.min())) if len(finite) else 0.0
        step = nice_ceiling((float(finite.max()) - low) / len(SEQUENTIAL) if len(finite) else 1.0)
        edges = low + step * np.arange(len(SEQUENTIAL) + 1)
        colours = SEQUENTIAL
    else:
        raise ValueError(f"unknown map scale {scale!r}; expected diverging, sequential or stoplicht")
    k = np.clip(np.searchsorted(edges, num.to_numpy(), side="right") - 1, 0, len(colours) - 1)
    fill = pd.Series(np.asarray(colours)[k], index=values.index).where(np.isfinite(num), MISSING)
    d = _decimals(step)
    edges = np.where(np.abs(edges) < step * 1e-6, 0.0, edges)  # the zero class's edges read "0", not "-0,00"
    legend = [LegendEntry(c, number(0, lang) if scale == "diverging" and i == 3 else text(
        lang, "legend_to", low=number(edges[i], lang, d), high=number(edges[i + 1], lang, d)))
        for i, c in enumerate(colours)]
    labels = num.map(lambda x: number(x, lang, max(d, 2)) if np.isfinite(x) else text(lang, "no_value"))
    return Classes(fill, legend, labels)


# ------------------------------------------------------------------------------------------
# SVG
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SvgGeometry:
    """SVG path data (``d``) per gemeente and per province in a ``SVG_WIDTH`` x ``height`` box."""

    height: int
    gemeenten: dict[str, str]
    provinces: dict[str, str]


def _path(rings: list[np.ndarray], origin: tuple[float, float], k: float) -> str:
    """SVG path data of ``rings``: integer coordinates, first point absolute, then relative
    steps between the rounded points (exact: no drift), repeated points dropped."""
    out = []
    for ring in rings:
        xy = project(ring)
        pts = np.column_stack([np.rint((xy[:, 0] - origin[0]) * k), np.rint((origin[1] - xy[:, 1]) * k)]).astype(int)
        keep = np.ones(len(pts), dtype=bool)
        keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
        pts = pts[keep]
        if len(pts) < 3:
            continue
        steps = np.diff(pts, axis=0)
        out.append(f"M{pts[0, 0]} {pts[0, 1]}l" + " ".join(f"{dx} {dy}" for dx, dy in steps) + "z")
    return "".join(out)


@functools.lru_cache(maxsize=4)
def svg_geometry(shapes: Shapes) -> SvgGeometry:
    """The path data of every gemeente and province, fitted to the width :data:`SVG_WIDTH`."""
    x0, y0, x1, y1 = shapes.bounds()
    (left, bottom), (right, top) = project(np.array([[x0, y0], [x1, y1]]))
    k = (SVG_WIDTH - 20) / (right - left)
    origin = (left - 10 / k, top + 10 / k)
    height = int(math.ceil((top - bottom) * k)) + 20
    return SvgGeometry(height, {c: _path(r, origin, k) for c, r in shapes.gemeenten.items()},
                       {c: _path(r, origin, k) for c, r in shapes.provinces.items()})


def svg_map_context(values: pd.Series, scale: str, shapes: Shapes, lang: str) -> dict:
    """What the map template needs: viewBox, one path per gemeente (fill, hover title), the
    province outlines, the legend and the attribution. Every text is escaped by the template."""
    geom = svg_geometry(shapes)
    values = values[~values.index.duplicated()]
    cls = classify(values.reindex(list(geom.gemeenten)), scale, lang)
    gemeenten = [{"d": d, "fill": cls.fill[c],
                  "title": f"{shapes.names.get(c) or c} ({c}): {cls.labels[c]}"}
                 for c, d in geom.gemeenten.items() if d]
    legend = list(cls.legend)
    if (cls.fill == MISSING).any():
        legend.append(LegendEntry(MISSING, text(lang, "no_value")))
    return {"width": SVG_WIDTH, "height": geom.height, "gemeenten": gemeenten,
            "provinces": [d for d in geom.provinces.values() if d], "legend": legend, "source": ATTRIBUTION}


# ------------------------------------------------------------------------------------------
# map.png (matplotlib)
# ------------------------------------------------------------------------------------------

def _patches(shapes: Shapes, codes: list[str]):
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    out = []
    for c in codes:
        verts, kinds = [], []
        for ring in shapes.gemeenten.get(c, []):
            xy = project(ring)
            verts += [*xy, xy[0]]
            kinds += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 1) + [MplPath.CLOSEPOLY]
        out.append(PathPatch(MplPath(np.asarray(verts), kinds)) if verts else None)
    return out


def deviation_map(gemeenten: pd.DataFrame, shapes: Shapes, path: str | Path, title: str) -> Path:
    """map.png: choropleth of (persons linked - target) / max(target, 1) per gemeente.

    Blue = below target, red = above, white = on target; grey = no value. ``gemeenten`` is the
    gemeenten table of a proposal (gm_code, persons, target); ``shapes`` from
    :func:`optimizer.data.geo.load_shapes`. Province outlines are drawn when the shapes have them.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import TwoSlopeNorm

    g = gemeenten.set_index("gm_code")
    rel = (g["persons"] - g["target"]) / np.maximum(g["target"].astype(float), 1.0)
    codes = list(shapes.gemeenten)
    patches = _patches(shapes, codes)
    values = rel.reindex(codes).to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(7, 8))
    has = [i for i, p in enumerate(patches) if p is not None]
    coll = PatchCollection([patches[i] for i in has], cmap=matplotlib.colormaps["RdBu_r"].with_extremes(
        bad="lightgrey"), norm=TwoSlopeNorm(0.0, -1.0, 1.0), edgecolor="#999999", linewidth=0.2)
    coll.set_array(np.ma.masked_invalid(values[has]))
    ax.add_collection(coll)
    for rings in shapes.provinces.values():
        for ring in rings:
            xy = project(ring)
            ax.plot(xy[:, 0], xy[:, 1], color="#333333", linewidth=0.6)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.colorbar(coll, ax=ax, shrink=0.6, extend="max", label="(linked - target) / max(target, 1)")
    ax.set_title(title, fontsize=10)
    fig.text(0.01, 0.01, f"{ATTRIBUTION} (gemeentegrenzen)", fontsize=7, color="#555555")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
