"""Where a distribution and its target come from: files, proposals, the ledger, reception capacity.

A distribution (:class:`Distribution`) is an amount per gemeente with, when the source has one,
its own target:

* a koppeling proposal folder (``gemeenten.csv``: ``persons`` against the batch ``target``;
  ``proposal.csv`` beside it for the household types), or a ``proposal.csv`` alone (persons of
  the linked households per gemeente, no target);
* a table with ``gm_code`` and an amount column (``--column``, default the first of
  :data:`VALUE_COLUMNS` present) and optionally ``target``: a realisation, places, anything;
  gemeenten not in the file count as 0 (said in the notes);
* the ledger of the current half-year: persons housed (or linked, ``measure="linked"``) per
  gemeente on a date against the period's target (taakstelling + uitruil + carry-over);
* current reception capacity: the existing reception places (modelled default or a file).

Targets (:func:`period_target`, :func:`key_target`, :func:`file_target`): the statutory
taakstelling of a half-year, a named distribution key scaled to the distribution's total
(largest remainder), or a file ``gm_code, target``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

from optimizer.core.errors import InputError, Violation
from optimizer.core.periods import Period
from optimizer.core.tables import read_table
from optimizer.data import dataset
from optimizer.data.validation import Col, check_unique, validate, validate_frame

#: Amount columns a distribution table may have, in the order they are looked for.
VALUE_COLUMNS: tuple[str, ...] = ("persons", "housed", "places", "reception_places", "linked", "value")
#: Named keys a target may use without further files.
KEYS: tuple[str, ...] = ("population", "eu2015", "eu2024", "sweden")

PROPOSAL_COLUMNS: tuple[Col, ...] = (
    Col("household_id", "str"),
    Col("status", "choice", choices=("linked", "unplaced", "excluded", "context")),
    Col("gm_code", "gm", nullable=True),
    Col("persons", "int", min=1),
    Col("adults", "int", min=0),
    Col("children", "int", min=0),
    Col("needed_class", "int", required=False, nullable=True, default=pd.NA),
    Col("dwelling_class", "int", required=False, nullable=True, default=pd.NA),
    Col("shared_dwelling", "bool", required=False, nullable=True, default=pd.NA),
    Col("employment_score_here", "float", required=False, nullable=True, default=pd.NA),
    Col("employment_score_best", "float", required=False, nullable=True, default=pd.NA),
    Col("term_continuity", "float", required=False, nullable=True, default=0.0),
)
GEMEENTEN_COLUMNS: tuple[Col, ...] = (Col("gm_code", "gm"), Col("persons", "float", min=0),
                                      Col("target", "float", min=0))
TARGET_COLUMNS: tuple[Col, ...] = (Col("gm_code", "gm"), Col("target", "float", min=0))


@dataclass
class Distribution:
    """An amount per gemeente (``actual``), its own target when the source has one, the unit
    (persons or places), where it came from, and for a proposal its household rows."""

    actual: pd.Series
    target: pd.Series | None
    unit: str
    kind: str
    source: str
    proposal: pd.DataFrame | None = None
    inputs: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _series(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby("gm_code")[column].sum().astype(float)


def load_proposal_rows(path: str | Path) -> pd.DataFrame:
    """The household rows of a ``proposal.csv`` (household ids only), typed."""
    out, _ = validate(path, PROPOSAL_COLUMNS, personal=True, checks=(partial(check_unique, columns="household_id"),))
    return out


def from_proposal(path: Path) -> Distribution:
    """A proposal folder (``gemeenten.csv`` and ``proposal.csv``) or a ``proposal.csv``."""
    folder = path if path.is_dir() else None
    rows_file = (folder / "proposal.csv") if folder else path
    rows = load_proposal_rows(rows_file) if rows_file.exists() else None
    if folder is not None and (folder / "gemeenten.csv").exists():
        gem, _ = validate(folder / "gemeenten.csv", GEMEENTEN_COLUMNS, checks=(partial(check_unique, columns="gm_code"),))
        return Distribution(_series(gem, "persons"), _series(gem, "target"), "persons", "proposal", str(folder),
                            rows, {"gemeenten": str(folder / "gemeenten.csv"),
                                   "proposal": str(rows_file) if rows is not None else None})
    if rows is None:
        raise InputError(Violation(str(path), "not a proposal: expected a folder with gemeenten.csv (and "
                                              "proposal.csv) written by `spreiding propose`, or a proposal.csv"))
    linked = rows[rows["status"] == "linked"]
    return Distribution(_series(linked, "persons"), None, "persons", "proposal", str(rows_file), rows,
                        {"proposal": str(rows_file)})


def from_table(path: Path, column: str | None = None) -> Distribution:
    """A table ``gm_code, <amount>[, target]`` (see the module text)."""
    if path.is_dir() or path.name == "proposal.csv":
        return from_proposal(path)
    raw = read_table(path)
    if {"household_id", "status"} <= set(raw.columns):
        return from_proposal(path)
    name = column or next((c for c in VALUE_COLUMNS if c in raw.columns), None)
    if name is None or name not in raw.columns:
        found = ", ".join(raw.columns)
        raise InputError(Violation(str(path), f"no amount column: expected --column NAME or one of "
                                              f"{', '.join(VALUE_COLUMNS)} (columns found: {found})",
                                   column=column))
    cols = (Col("gm_code", "gm"), Col(name, "float", min=0),
            Col("target", "float", required=False, nullable=True, min=0, default=pd.NA))
    frame = validate_frame(raw, cols, str(path), checks=(partial(check_unique, columns="gm_code"),))
    target = None if frame["target"].isna().all() else _series(frame.fillna({"target": 0}), "target")
    dist = Distribution(_series(frame, name), target, "places" if "places" in name else "persons", "file",
                        str(path), inputs={"distribution": str(path)})
    missing = len(set(dataset.gemeente_codes()) - set(frame["gm_code"]))
    if missing:
        dist.notes.append(f"{missing} gemeenten are not in {path}: counted as 0")
    return dist


def from_ledger(path: Path, period: Period, day: date, measure: str = "housed") -> Distribution:
    """Persons housed (``measure="linked"``: linked + pipeline in) per gemeente on ``day``
    against the period's target, from the ledger."""
    from optimizer.cycle.ledger import open_ledger
    from optimizer.cycle.status import period_status

    with open_ledger(path) as ledger:
        status = period_status(ledger, period, day)
    actual = status["housed"] if measure == "housed" else status["linked"] + status["pipeline_in"]
    return Distribution(actual.astype(float), status["target"].astype(float), "persons", "ledger",
                        f"{path} ({period}, {day.isoformat()}, {measure})", inputs={"ledger": str(path)})


def from_reception(path: Path | None) -> Distribution:
    """Existing reception places per gemeente (``path``: a file ``gm_code, reception_places``;
    default the modelled figures of the dataset)."""
    places = dataset.load_reception(path).astype(float)
    source = str(path) if path else "data/reception_modelled.csv (MODELLED)"
    return Distribution(places, None, "places", "reception", source, inputs={"reception": str(path) if path else None})


# ------------------------------------------------------------------------------------------
# Targets
# ------------------------------------------------------------------------------------------

def period_target(period: Period, national: int | None = None, rounding: str = "up") -> pd.Series:
    """The statutory taakstelling of ``period`` per gemeente (Huisvestingswet art. 29)."""
    from optimizer.rules.taakstelling import statutory_taakstelling

    return statutory_taakstelling(period, national=national, rounding=rounding)["taakstelling"].astype(float)  # type: ignore[arg-type]


def key_target(key: str, total: float) -> pd.Series:
    """``key``'s shares (:mod:`optimizer.rules.keys`) of ``total``, whole numbers by largest
    remainder (the sum is ``round(total)``)."""
    from optimizer.rules.keys import key_shares, largest_remainder, resolve_weights

    if key not in KEYS:
        raise InputError(Violation("--key", f"expected one of {', '.join(KEYS)}", value=key))
    gem = dataset.load_gemeenten()
    shares = key_shares(gem, resolve_weights(key), existing=dataset.load_reception())
    return largest_remainder(shares, int(round(total))).astype(float)


def file_target(path: Path) -> pd.Series:
    """A target file ``gm_code, target``; gemeenten not in it have target 0."""
    frame, _ = validate(path, TARGET_COLUMNS, checks=(partial(check_unique, columns="gm_code"),))
    return _series(frame, "target")


def population_for(period: Period | None) -> tuple[pd.Series, str]:
    """Inhabitants per gemeente for per-1,000 figures: the statutory reference date of
    ``period`` when embedded, else the latest embedded date; and that date."""
    dates = dataset.available_population_dates()
    day = period.reference_date if period is not None and period.reference_date in dates else dates[-1]
    return dataset.load_population(day), day.isoformat()


def choose_target(dist: Distribution, *, period: Period | None, key: str | None, targets: Path | None,
                  national: int | None, rounding: str) -> tuple[pd.Series, str, dict[str, str]]:
    """The target asked for (at most one of ``period``, ``key``, ``targets``), else the
    distribution's own, else the population key; and which (``period``, ``file``, ``own`` or
    ``key``) with its parameters, for the report to describe."""
    given = [name for name, v in (("--period", period), ("--key", key), ("--targets", targets)) if v is not None]
    if len(given) > 1:
        raise InputError(Violation(" / ".join(given), "give at most one target: --period (taakstelling), --key or "
                                                      "--targets"))
    if period is not None:
        return period_target(period, national, rounding), "period", {"period": str(period), "rounding": rounding}
    if targets is not None:
        return file_target(targets), "file", {"file": str(targets)}
    if key is None and dist.target is not None:
        return dist.target, "own", {}
    key = key or "population"
    return key_target(key, float(dist.actual.sum())), "key", {"key": key}
