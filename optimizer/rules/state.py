"""Default gemeente state for a koppeling batch, built from the embedded dataset.

For a batch on ``day`` in half-year ``period``:

* ``target`` (persons to link in this batch) = pace target at ``day`` minus persons linked so
  far. Without a linked-so-far file, COA is assumed to be on pace until ``batch_days`` before
  ``day``, so the batch target is the pace increment over the batch:
  ``ceil(T * f(day)) - ceil(T * f(day - batch_days))`` with ``f`` the linear pace
  (:func:`optimizer.rules.taakstelling.pace_fraction`) and ``T`` the half-year target incl. carry-over
  and uitruil.
* ``dwellings_c1..c5``: dwellings expected to come free for statushouders over the rest of the
  half-year, ``ceil(offer_halfyear * (days left / days in half-year))`` from the (modelled or
  user-supplied) housing table.
* ``housing_pressure`` from the housing table.
* caps (leefbaarheid, optional): with ``leefbaarheid_share`` = S, a gemeente receives at most
  ``floor(S * corporation lettings expected over the rest of the half-year)`` households, so
  statushouders do not get more than that share of its social lettings; without it, no caps.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.core.periods import Period
from optimizer.data import dataset
from optimizer.rules.dwellings import DWELLING_COLUMNS
from optimizer.rules.taakstelling import Rounding, build_targets, pace_target


def build_state(period: Period | str, day: date, *, national: int | None = None, rounding: Rounding = "up",
                population_path: str | Path | None = None, realised: pd.DataFrame | None = None,
                swaps: pd.DataFrame | None = None, linked: pd.Series | None = None,
                housing_path: str | Path | None = None, batch_days: int = 7,
                leefbaarheid_share: float | None = None,
                population_year: int | None = None) -> pd.DataFrame:
    """The gemeente state table (columns of ``optimizer.data.schemas.STATE_COLUMNS``) for a batch."""
    period = Period.parse(period) if isinstance(period, str) else period
    t = build_targets(period, national=national, rounding=rounding, population_path=population_path,
                      population_year=population_year,
                      realised=realised, swaps=swaps, day=day, linked=linked)
    if linked is None:
        before = max(period.start, day - timedelta(days=batch_days))
        done = pace_target(t["target"].clip(lower=0), period, before)
        t["linked"] = done
        t["batch_target"] = (t["pace_target"] - done).clip(lower=0)
    housing = dataset.load_housing(housing_path).reindex(t.index)
    span = (period.end - period.start).days + 1
    left = (period.end - day).days + 1
    frac = left / span
    state = pd.DataFrame(index=t.index)
    state["gm_naam"] = t["gm_naam"]
    state["target"] = t["batch_target"].astype(float)
    for c in DWELLING_COLUMNS:
        state[c] = np.ceil(housing[c].astype(float) * frac - 1e-9).astype(int)
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
    return state.reset_index()
