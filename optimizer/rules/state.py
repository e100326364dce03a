"""Default gemeente state for a koppeling batch, built from the embedded dataset.

For a batch on ``day`` in half-year ``period`` (or the whole half-year, ``whole_period``):

* ``target`` (persons to link in this batch) is the ``batch_target`` of
  :func:`optimizer.rules.taakstelling.batch_targets`: the half-year target ``T`` (taakstelling +
  carry-over + uitruil) at the pace for the date, minus ``linked``, the persons linked before the
  batch. The rule is one of (docs/cycle.md, "Planning a half-year"):

  - ``pace`` (start of the half-year to the koppel deadline 1 April / 1 October):
    ``ceil(T * f(day)) - linked`` with ``f`` the linear pace
    (:func:`optimizer.rules.taakstelling.pace_fraction`). Without a linked-so-far file, COA is
    assumed on pace until ``batch_days`` before ``day``, so the target is the pace increment over
    the batch: ``ceil(T * f(day)) - ceil(T * f(day - batch_days))``;
  - ``catch-up`` (after the koppel deadline): ``T - linked``, everything still missing (needs
    ``linked``, unless the previous batch was still before the deadline);
  - ``before-start`` (from the previous half-year's koppel deadline to the start, e.g. December
    for H1): the pace of the half-year's first batch, ``ceil(T * f(start + batch_days)) - linked``;
  - ``whole-period``: ``T - linked`` (linked 0 when not given), for a half-year proposal.

* ``dwellings_c1..c5``: dwellings expected to come free for statushouders over the rest of the
  half-year, ``ceil(offer_halfyear * (days left / days in half-year))``; the whole half-year's
  offer for ``whole-period`` and ``before-start``. ``offer_halfyear`` comes from a user housing
  file (``housing_path``) when given, else from the ``offer_model``
  (:mod:`optimizer.rules.offers`): ``obligation`` (default; from the half-year target ``T`` and
  the housing pressure) or ``lettings`` (the embedded ``housing_modelled.csv``).
* ``housing_pressure`` from the housing table.
* caps (leefbaarheid, optional): with ``leefbaarheid_share`` = S, a gemeente receives at most
  ``floor(S * corporation lettings expected over the same days)`` households, so statushouders
  do not get more than that share of its social lettings; without it, no caps.

The table's ``attrs`` carry ``target_rule``, ``period``, ``date`` and ``offer_model`` (``file``
when a housing file was given) (the ``state`` command writes
``target_rule`` as a column too).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.core.periods import Period
from optimizer.data import dataset
from optimizer.rules.dwellings import DWELLING_COLUMNS
from optimizer.rules.offers import OFFER_MODELS, OfferModelName, obligation_offers
from optimizer.rules.taakstelling import Rounding, build_targets, describe_rule

log = logging.getLogger(__name__)


def offer_fraction(period: Period, day: date | None, rule: str) -> float:
    """Share of the half-year's dwelling offer still to come for a batch on ``day``.

    The days left in the half-year (``day`` included) over its length; 1 for the whole half-year
    and for a batch before it starts (the offers of the half-year planned ahead).
    """
    if rule in ("whole-period", "before-start") or day is None:
        return 1.0
    span = (period.end - period.start).days + 1
    left = (period.end - day).days + 1
    return left / span


def halfyear_offers(period_target: pd.Series, housing: pd.DataFrame, housing_path: str | Path | None,
                    offer_model: str) -> tuple[pd.DataFrame, str]:
    """Dwellings offered over the half-year by class, and which model gave them: the user's
    housing file when given (``file``), else the obligation model on the half-year target
    (taakstelling + carry-over + uitruil) or the embedded lettings model."""
    if offer_model not in OFFER_MODELS:
        from optimizer.core.errors import InputError, Violation
        raise InputError(Violation("--offer-model", f"expected one of {', '.join(OFFER_MODELS)}", value=offer_model))
    if housing_path is not None:
        return housing[list(DWELLING_COLUMNS)], "file"
    if offer_model == "lettings":
        return housing[list(DWELLING_COLUMNS)], "lettings"
    gem = dataset.load_gemeenten().reindex(period_target.index)
    return obligation_offers(period_target, housing["housing_pressure"].astype(float), gem), "obligation"


def build_state(period: Period | str, day: date | None = None, *, national: int | None = None,
                rounding: Rounding = "up", population_path: str | Path | None = None,
                realised: pd.DataFrame | None = None, swaps: pd.DataFrame | None = None,
                linked: pd.Series | None = None, housing_path: str | Path | None = None, batch_days: int = 7,
                leefbaarheid_share: float | None = None, whole_period: bool = False,
                population_year: int | None = None, offer_model: OfferModelName = "obligation") -> pd.DataFrame:
    """The gemeente state table (columns of ``optimizer.data.schemas.STATE_COLUMNS``) for a batch
    on ``day``, or for the whole half-year with ``whole_period`` (``day`` then optional)."""
    period = Period.parse(period) if isinstance(period, str) else period
    t = build_targets(period, national=national, rounding=rounding, population_path=population_path,
                      population_year=population_year,
                      realised=realised, swaps=swaps, day=day, linked=linked, batch_days=batch_days,
                      whole_period=whole_period or day is None)
    rule = t.attrs["target_rule"]
    housing = dataset.load_housing(housing_path).reindex(t.index)
    offers, used_model = halfyear_offers(t["target"], housing, housing_path, offer_model)
    frac = offer_fraction(period, day, rule)
    state = pd.DataFrame(index=t.index)
    state["gm_naam"] = t["gm_naam"]
    state["target"] = t["batch_target"].astype(float)
    for c in DWELLING_COLUMNS:
        state[c] = np.ceil(offers[c].astype(float) * frac - 1e-9).astype(int)
    state["housing_pressure"] = housing["housing_pressure"].astype(float).round(4)
    state["cap_persons"] = pd.array([pd.NA] * len(state), dtype="Float64")  # no cap
    state["cap_households"] = pd.array([pd.NA] * len(state), dtype="Int64")
    if leefbaarheid_share is not None:
        if not 0 <= leefbaarheid_share <= 1:
            from optimizer.core.errors import InputError, Violation
            raise InputError(Violation("--leefbaarheid-share", "expected a share between 0 and 1",
                                       value=leefbaarheid_share))
        lettings = housing["corporation_lettings_halfyear_est"].astype(float) * frac
        state["cap_households"] = np.floor(leefbaarheid_share * lettings + 1e-9).astype("int64").astype("Int64")
    state["taakstelling"] = t["taakstelling"]
    state["linked"] = t["linked"]
    state.index.name = "gm_code"
    out = state.reset_index()
    out.attrs.update(target_rule=rule, period=str(period), date=day.isoformat() if day else None,
                     offer_model=used_model)
    log.info("state for %s%s: %s", period, f" on {day}" if day else "",
             describe_rule(rule, period, day, batch_days=batch_days, linked_given=linked is not None))
    if len(out) and not (out["target"] > 0).any():
        log.warning("every gemeente's batch target is 0 (%s): all of %s is linked; a proposal on this state "
                    "has no target to aim at", rule, period)
    return out
