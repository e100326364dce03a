"""Small reception instances for the model tests: a gemeenten frame with every column the
distribution keys read, and the deviation penalty computed by hand from its definition."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def gemeenten_frame(pops: Sequence[int], provinces: Sequence[str] | None = None,
                    incomes: Sequence[float] | None = None) -> pd.DataFrame:
    """Gemeenten GM0001.. with these populations (one province PV20 unless given), flat labour
    indicators and the given incomes (30 k EUR per inhabitant by default)."""
    n = len(pops)
    provinces = list(provinces) if provinces is not None else ["PV20"] * n
    return pd.DataFrame({
        "gm_naam": [f"G{i + 1}" for i in range(n)],
        "provincie_code": provinces,
        "provincie": [f"Prov {p}" for p in provinces],
        "population_2024": list(pops),
        "income_per_inhabitant_keur": list(incomes) if incomes is not None else [30.0] * n,
        "ww_per_100_inhabitants": [2.0] * n,
        "bijstand_per_1000_inhabitants": [20.0] * n,
        "labour_participation_pct": [70.0] * n,
    }, index=pd.Index([f"GM{i + 1:04d}" for i in range(n)], name="gm_code"))


def band_penalty(u: float, scale: float, ends: Sequence[float], slopes: Sequence[float]) -> float:
    """``scale * f(u / scale)`` with ``f`` piecewise linear: slope ``slopes[k]`` per place between
    ``ends[k-1]`` and ``ends[k]`` times the scale (the last band open)."""
    bounds = [0.0] + [e * scale for e in ends] + [float("inf")]
    return sum(slope * max(0.0, min(u, hi) - lo) for slope, lo, hi in zip(slopes, bounds[:-1], bounds[1:]))
