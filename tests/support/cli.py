"""Command-line test helpers: run the app in-process, read CSV outputs as text, and recompute
the statutory taakstelling independently (Fraction arithmetic on data/population.csv read with
the csv module, not through the engine)."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.paths import data_dir

runner = CliRunner()


def invoke(*args: str):
    """``spreiding ARGS`` in-process; stdout and stderr kept apart."""
    return runner.invoke(app, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def population(reference_date: str) -> dict[str, int]:
    """gm_code -> population on ``reference_date`` (YYYY-MM-DD) from the embedded file."""
    with open(data_dir() / "population.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["gm_code"]: int(r["population"]) for r in csv.DictReader(fh) if r["reference_date"] == reference_date}


def formula(vg: int, pops: dict[str, int], rounding: str = "up") -> dict[str, int]:
    """Huisvestingswet art. 29: ``ceil(vg * iG / iN)`` (``up``) or rounded half up (``nearest``)."""
    total = sum(pops.values())
    out = {}
    for g, p in pops.items():
        x = Fraction(vg * p, total)
        out[g] = -((-x.numerator) // x.denominator) if rounding == "up" else int((x + Fraction(1, 2)) // 1)
    return out
