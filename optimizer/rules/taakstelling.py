"""Statutory taakstelling per gemeente: allocation, carry-over, uitruil and pace.

Rules (Huisvestingswet 2014):

* art. 29(1): gemeente G houses ``ceil(vg * iG / iN)`` persons in a half-year, with ``vg`` the
  national number set by the Minister and ``iG``, ``iN`` the CBS populations of G and of the
  Netherlands on 1 January of the preceding calendar year. The law rounds *up*; published lists
  for 2025 are consistent with rounding to the *nearest* whole number (DOMAIN.md). Both are
  supported (``rounding="up" | "nearest"``); the default is the law, and every output records
  the mode used.
* Population: chosen by the period (:func:`choose_population`): the embedded CBS figures of
  1 January of the preceding year, a user file (``--population``), or, only when asked for
  (``--population-year``), the embedded figures of another year; such a fallback is recorded in
  the output (``population_fallback``) and in the run record. A reference date that is not
  embedded is an input error naming both ways out; so is a period without a national total.
* Carry-over: a shortfall (achterstand, positive) or surplus (voorsprong, negative) of earlier
  half-years is added to the current target.
* art. 29(2), uitruil: gemeenten may swap parts of their taakstelling if the sum is unchanged.
* Pace: COA must have linked a half-year's number by 1 April / 1 October; a linear pace from the
  start of the half-year to that date gives the number that should be linked by a given day.
  A batch on a date sets its target by one of four rules (:func:`target_rule`): ``pace``
  (up to the deadline), ``catch-up`` (after it: all still missing), ``before-start`` (planning
  the half-year ahead, from the previous half-year's deadline) and ``whole-period``.

All arithmetic on persons is exact integer arithmetic (no floating-point rounding surprises).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from optimizer.core.errors import InputError, Violation
from optimizer.core.periods import Period
from optimizer.data import dataset

Rounding = Literal["up", "nearest"]
ROUNDING_MODES: tuple[str, ...] = ("up", "nearest")
#: How a batch target is set (:func:`target_rule`, docs/cycle.md "Planning a half-year").
TargetRule = Literal["pace", "catch-up", "before-start", "whole-period"]


def allocate(national: int, population: pd.Series, rounding: Rounding = "up") -> pd.Series:
    """Persons per gemeente: ``ceil(vg*iG/iN)`` (``up``) or round-half-up of ``vg*iG/iN`` (``nearest``).

    ``population`` maps gm_code -> iG (integers); iN is its sum. Exact integer arithmetic.
    """
    if rounding not in ROUNDING_MODES:
        raise ValueError(f"rounding must be one of {ROUNDING_MODES}, got {rounding!r}")
    if national < 0:
        raise ValueError(f"national taakstelling must be >= 0, got {national}")
    pop = population.astype("int64")
    total = int(pop.sum())
    if total <= 0:
        raise ValueError("national population must be positive")
    numer = pop.to_numpy(dtype=object) * int(national)  # python ints: no overflow
    if rounding == "up":
        values = [-((-n) // total) for n in numer]
    else:
        values = [(2 * n + total) // (2 * total) for n in numer]
    return pd.Series(np.array(values, dtype="int64"), index=pop.index, name="taakstelling")


def national_total(period: Period, national: int | None = None) -> int:
    """The national number ``vg`` for ``period``: ``national`` if given, else from the dataset."""
    if national is not None:
        if national < 0:
            raise InputError(Violation("--national", "must be a whole number >= 0", value=national))
        return int(national)
    totals = dataset.load_national_taakstelling()
    if str(period) not in totals.index:
        known = ", ".join(totals.index)
        raise InputError(Violation(
            "data/taakstelling_national.csv",
            f"no national taakstelling known for {period}; known periods: {known}. "
            "Give it with --national N",
        ))
    return int(totals[str(period)])


@dataclass(frozen=True)
class PopulationChoice:
    """The population a half-year's taakstelling uses, where it comes from and why.

    ``reference_date`` is the date of the figures used, ``statutory_date`` 1 January of the
    year before the period (art. 29(1)); ``fallback`` says why they differ (``None`` if not).
    """

    period: str
    reference_date: date
    statutory_date: date
    source: str
    path: str | Path | None = None
    fallback: str | None = None

    def record(self) -> dict[str, str | None]:
        """The run record's ``population`` section."""
        return {"period": self.period, "reference_date": self.reference_date.isoformat(),
                "statutory_reference_date": self.statutory_date.isoformat(), "source": self.source,
                "fallback": self.fallback}


def choose_population(period: Period | str, population_path: str | Path | None = None,
                      population_year: int | None = None) -> PopulationChoice:
    """Which population ``period`` uses (nothing is read but the embedded dates and sources).

    Default: the embedded figures of ``period.reference_date``. ``population_path``: a user file
    (its rows of that date when it has a ``reference_date`` column). ``population_year``: the
    figures of 1 January of that year instead, a deviation from art. 29(1) that is recorded as
    ``fallback``. An embedded date that is missing raises :class:`InputError` naming the date,
    the embedded ones, ``--population FILE`` and ``--population-year``.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    statutory = period.reference_date
    if population_year is not None and not 1851 <= population_year <= 9999:
        raise InputError(Violation("--population-year", "expected a year, e.g. 2025", value=population_year))
    ref = statutory if population_year is None else date(population_year, 1, 1)
    fallback = None
    if ref != statutory:
        fallback = (f"population of {ref.isoformat()} used instead of {statutory.isoformat()} "
                    f"(Huisvestingswet art. 29(1) for {period}), as asked with --population-year {population_year}")
    if population_path is not None:
        return PopulationChoice(str(period), ref, statutory, f"{population_path} (--population)", population_path,
                                fallback)
    embedded = dataset.available_population_dates()
    if ref not in embedded:
        shown = ", ".join(d.isoformat() for d in embedded)
        earlier = [d.year for d in embedded if d < ref]
        if population_year is not None:
            raise InputError(Violation("--population-year", f"no population of {ref.isoformat()} is embedded "
                                       f"(embedded: {shown})", value=population_year))
        way_out = f", or explicitly the latest embedded one with --population-year {earlier[-1]}" if earlier else ""
        raise InputError(Violation(
            "--period", f"{period} needs the population of {statutory.isoformat()} (1 January of the preceding "
            f"year, Huisvestingswet art. 29(1)), which is not embedded (embedded: {shown}). Give it with "
            f"--population FILE (columns gm_code, population[, reference_date]){way_out}; a fallback is "
            "recorded in the output", value=str(period)))
    return PopulationChoice(str(period), ref, statutory, dataset.population_source(ref), None, fallback)


def statutory_taakstelling(period: Period | str, *, national: int | None = None, rounding: Rounding = "up",
                           population_path: str | Path | None = None,
                           population_year: int | None = None) -> pd.DataFrame:
    """Taakstelling of every gemeente for ``period`` (art. 29(1)).

    Returns a frame indexed by gm_code with ``population_ref`` (iG on the reference date),
    ``taakstelling`` and the metadata columns ``period``, ``national``, ``reference_date`` (of
    the figures used), ``rounding``, and ``population_fallback`` only when ``population_year``
    departs from the statutory date (:func:`choose_population`). A missing national total and a
    missing population are reported together.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    violations: list[Violation] = []
    try:
        vg = national_total(period, national)
    except InputError as exc:
        violations += exc.violations
    try:
        choice = choose_population(period, population_path, population_year)
    except InputError as exc:
        violations += exc.violations
    if violations:
        raise InputError(violations)
    population = dataset.load_population(choice.reference_date, population_path)
    out = pd.DataFrame({"population_ref": population.astype("int64")})
    out["taakstelling"] = allocate(vg, population, rounding)
    out["period"] = str(period)
    out["national"] = vg
    out["reference_date"] = choice.reference_date.isoformat()
    out["rounding"] = rounding
    if choice.fallback:
        out["population_fallback"] = choice.fallback
    out.index.name = "gm_code"
    return out


def carry_over(realised: pd.DataFrame, period: Period, *, rounding: Rounding = "up",
               file: str | None = None) -> pd.Series:
    """Achterstand (+) / voorsprong (-) per gemeente from earlier half-years.

    ``realised`` is a validated frame with columns gm_code, period, housed and optionally
    target. For each row ``target - housed`` is carried; a missing target is the statutory
    taakstelling of *that* half-year, computed from the embedded population on its own
    reference date (give the ``target`` column where the dataset lacks that date).
    Rows for ``period`` itself or later are rejected.
    """
    file = file or realised.attrs.get("file", "realised")
    codes = dataset.gemeente_codes()
    result = pd.Series(0, index=pd.Index(codes, name="gm_code"), dtype="int64", name="carry_over")
    violations = []
    for i, row in realised.iterrows():
        p = row["period"]
        if p >= period:
            violations.append(Violation(file, f"must be a half-year before {period}", row=int(i) + 2,
                                        column="period", value=str(p)))
    if violations:
        raise InputError(violations)
    for p, group in realised.groupby("period", sort=True):
        targets = group["target"] if "target" in group else pd.Series(pd.NA, index=group.index)
        if targets.isna().any():
            try:
                statutory = statutory_taakstelling(p, rounding=rounding)["taakstelling"]
            except InputError as exc:
                raise InputError([Violation(file, f"no target given for {p} and it cannot be computed: "
                                                  f"{exc.violations[0].rule}; fill the 'target' column for {p}",
                                            column="target")]) from None
            targets = targets.astype("Float64").fillna(group["gm_code"].map(statutory).astype("Float64"))
        diff = (targets.astype("int64") - group["housed"].astype("int64")).groupby(group["gm_code"]).sum()
        result = result.add(diff, fill_value=0).astype("int64")
    return result


def apply_swaps(taakstelling: pd.Series, swaps: pd.DataFrame, *, file: str | None = None) -> pd.Series:
    """Uitruil (art. 29(2)): add each swap's ``delta`` to the gemeente's taakstelling.

    ``swaps`` is a validated frame with swap_id, gm_code, delta, in which each swap_id's deltas
    sum to zero (checked in :mod:`optimizer.data.schemas`). The national sum is unchanged; a
    gemeente whose taakstelling would become negative is rejected.
    """
    file = file or swaps.attrs.get("file", "swaps")
    delta = swaps.groupby("gm_code")["delta"].sum().reindex(taakstelling.index, fill_value=0).astype("int64")
    after = taakstelling.astype("int64") + delta
    negative = after[after < 0]
    if len(negative):
        raise InputError([
            Violation(file, f"swaps would make the taakstelling negative ({int(after[g])})", column="gm_code", value=g)
            for g in negative.index
        ])
    assert int(after.sum()) == int(taakstelling.sum())
    return delta.rename("swaps_delta")


def pace_fraction(period: Period, day: date) -> float:
    """Share of the half-year's number that should be linked by ``day`` (linear pace).

    0 at the start of the half-year, rising linearly to 1 on the koppel deadline (1 April /
    1 October), 1 after it. ``day`` must lie in the half-year.
    """
    if not period.contains(day):
        raise InputError(Violation("--date", f"must lie in {period} ({period.start} to {period.end})",
                                   value=day.isoformat()))
    span = (period.koppel_deadline - period.start).days
    done = (day - period.start).days
    return min(1.0, max(0.0, done / span))


def pace_target(target: pd.Series, period: Period, day: date) -> pd.Series:
    """Persons that should be linked by ``day``: ``ceil(target * pace_fraction)``, at least 0."""
    frac = pace_fraction(period, day)
    values = [max(0, math.ceil(t * frac - 1e-9)) for t in target.astype("int64")]
    return pd.Series(values, index=target.index, dtype="int64", name="pace_target")


def first_batch_date(period: Period) -> date:
    """Earliest batch date for ``period``: the koppel deadline of the half-year before it.

    From that day COA has linked (or should have linked) the current half-year's number, and
    may start linking towards the next one (e.g. in December for H1).
    """
    return period.previous().koppel_deadline


def target_rule(period: Period, day: date | None) -> TargetRule:
    """The rule that sets the batch target of a batch on ``day`` (``None``: the whole half-year).

    * ``whole-period`` (no day): everything still missing for the half-year;
    * ``before-start``: ``day`` from :func:`first_batch_date` up to the start of the half-year:
      the pace of the half-year's first batch;
    * ``pace``: from the start of the half-year up to and including the koppel deadline
      (1 April / 1 October): the linear pace by ``day``;
    * ``catch-up``: after the koppel deadline: everything still missing for the half-year.

    Any other day is rejected (``--date``), naming the allowed range.
    """
    if day is None:
        return "whole-period"
    first = first_batch_date(period)
    if not first <= day <= period.end:
        raise InputError(Violation(
            "--date", f"must lie in {period} ({period.start} to {period.end}), or from {first} (the koppel "
                      f"deadline of {period.previous()}) to plan {period} ahead", value=day.isoformat()))
    if day < period.start:
        return "before-start"
    return "pace" if day <= period.koppel_deadline else "catch-up"


def batch_targets(target: pd.Series, period: Period, day: date | None, *, linked: pd.Series | None = None,
                  batch_days: int = 7, whole_period: bool = False) -> pd.DataFrame:
    """The batch target of every gemeente for a batch on ``day`` (docs/cycle.md).

    ``target`` is the half-year target incl. carry-over and uitruil (negative counts as 0).
    Returns, per gemeente:

    * ``pace_fraction`` and ``pace_target``: the share and *cumulative* number of persons that
      should be linked by the batch date (:func:`pace_target`); ``pace_target`` is the whole
      target after the koppel deadline and in ``whole-period`` mode, and the pace by the start
      plus ``batch_days`` for a batch before the half-year starts;
    * ``linked``: persons linked towards the half-year before this batch: ``linked`` if given,
      else assumed on pace until the previous batch, ``pace_target`` at ``day - batch_days``
      (0 before the start and in ``whole-period`` mode);
    * ``batch_target = max(0, pace_target - linked)``: persons to link in this batch;
    * ``target_rule`` (:func:`target_rule`; ``whole-period`` when ``whole_period``, ``day``
      then only checked).

    After the koppel deadline the catch-up needs what was really linked: without ``linked``
    the pace assumption leaves nothing to link, which is rejected rather than returned as
    342 zeros.
    """
    rule = target_rule(period, day)
    if whole_period:
        rule = "whole-period"
    goal = target.clip(lower=0).astype("int64")
    if rule == "whole-period":
        frac, pace = 1.0, goal.rename("pace_target")
    else:
        pace_day = min(period.end, period.start + timedelta(days=batch_days)) if rule == "before-start" else day
        frac, pace = pace_fraction(period, pace_day), pace_target(goal, period, pace_day)
    if linked is not None:
        done = linked.reindex(goal.index, fill_value=0).astype("int64")
    elif rule == "whole-period":
        done = pd.Series(0, index=goal.index, dtype="int64")
    else:
        previous = max(period.start, day - timedelta(days=batch_days))
        if previous >= period.koppel_deadline:
            raise InputError(Violation(
                "--date", f"after the koppel deadline of {period} ({period.koppel_deadline}) the batch target is "
                          f"what is still missing for the half-year (catch-up), which needs the persons linked so far: "
                          f"give them with --linked (assumed on pace, nothing is missing), or plan the whole "
                          f"half-year with `spreiding state --whole-period`", value=day.isoformat()))
        done = pace_target(goal, period, previous)
    out = pd.DataFrame({"pace_fraction": round(frac, 6), "pace_target": pace, "linked": done}, index=goal.index)
    out["batch_target"] = (out["pace_target"] - out["linked"]).clip(lower=0)
    out["target_rule"] = rule
    out.attrs["target_rule"] = rule
    return out


def describe_rule(rule: str, period: Period, day: date | None, *, batch_days: int = 7,
                  linked_given: bool = False) -> str:
    """One line saying which rule set the batch targets (for the log)."""
    deadline = period.koppel_deadline
    text = {
        "pace": f"pace: the linear pace from {period.start} to the koppel deadline {deadline} by {day}, "
                "minus linked before the batch",
        "catch-up": f"catch-up: after the koppel deadline {deadline}, all still missing for {period}",
        "before-start": f"before-start: {period} starts {period.start}; the pace of its first {batch_days} days",
        "whole-period": f"whole-period: all still missing for {period}, with the dwellings of the whole half-year",
    }[rule]
    if linked_given:
        basis = "linked so far as given"
    elif rule in ("pace", "catch-up"):
        basis = f"linked assumed on pace until {max(period.start, day - timedelta(days=batch_days))}"
    else:
        basis = "nothing linked yet"
    return f"target rule {text} ({basis})"


def build_targets(period: Period | str, *, national: int | None = None, rounding: Rounding = "up",
                  population_path: str | Path | None = None, population_year: int | None = None,
                  realised: pd.DataFrame | None = None,
                  swaps: pd.DataFrame | None = None, day: date | None = None,
                  linked: pd.Series | None = None, batch_days: int = 7, whole_period: bool = False) -> pd.DataFrame:
    """The full taakstelling table for a half-year.

    Columns: gm_naam, provincie, population_ref, taakstelling (statutory), swaps_delta,
    carry_over (achterstand + / voorsprong -), target = taakstelling + swaps_delta + carry_over,
    and for a batch on ``day`` (or with ``whole_period``) the columns of :func:`batch_targets`:
    pace_fraction, pace_target (cumulative by ``day``), linked (before the batch),
    batch_target (persons to link in the batch: the state's ``target``) and target_rule.
    Metadata columns period, national, reference_date, rounding (and population_fallback after
    an explicit ``population_year``).
    """
    period = Period.parse(period) if isinstance(period, str) else period
    base = statutory_taakstelling(period, national=national, rounding=rounding, population_path=population_path,
                                  population_year=population_year)
    gem = dataset.load_gemeenten()
    out = pd.DataFrame(index=base.index)
    out["gm_naam"] = gem["gm_naam"].reindex(out.index)
    out["provincie"] = gem["provincie"].reindex(out.index)
    out["population_ref"] = base["population_ref"]
    out["taakstelling"] = base["taakstelling"]
    out["swaps_delta"] = apply_swaps(base["taakstelling"], swaps) if swaps is not None else 0
    out["carry_over"] = carry_over(realised, period, rounding=rounding) if realised is not None else 0
    out["target"] = out["taakstelling"] + out["swaps_delta"] + out["carry_over"]
    if day is not None or whole_period:
        batch = batch_targets(out["target"], period, day, linked=linked, batch_days=batch_days,
                              whole_period=whole_period)
        out = out.join(batch)
        out.attrs["target_rule"] = batch.attrs["target_rule"]
    for col in ("period", "national", "reference_date", "rounding", "population_fallback"):
        if col in base:
            out[col] = base[col]
    return out
