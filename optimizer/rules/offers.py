"""Dwelling offers per gemeente for a half-year: the obligation model (default) or the lettings model.

Two MODELLED ways to say how many dwellings of each size class a gemeente offers statushouders
in a half-year (docs/data.md, "Dwelling offers"); a user file (``--housing``) replaces both:

* ``obligation`` (default): every gemeente must house its half-year target ``T`` (taakstelling +
  carry-over + uitruil, Huisvestingswet art. 28-29) and finds the dwellings for it (corporation
  lettings, temporary and shared housing, conversions). What differs is how hard that is and
  which sizes it finds:

  - dwellings needed ``n(g) = T(g) / persons_per_dwelling`` (``persons_per_dwelling`` = 2.0,
    the mean statushouder household, docs/households.md);
  - realisation rate ``rho(g) = realisation_relaxed - (realisation_relaxed - realisation_tight) *
    housing_pressure(g)`` (1.15 at pressure 0 down to 1.00 at pressure 1): where housing is least
    scarce a gemeente finds more than it needs, where it is scarcest just enough;
  - offered ``D(g) = ceil(rho(g) * n(g))`` dwellings (0 when ``T(g) <= 0``), split over the
    size classes by the gemeente's own stock: ``share_k(g) = class_shares[k] + class_tilt[k] *
    (t(g) - t_mean) + size_tilt[k] * (a(g) - a_mean)`` with ``t = (multi_family_pct -
    single_family_pct) / 100`` (KWB 2021: flats vs single-family houses, the tilt of the lettings
    model) and ``a = avg_household_size`` (KWB 2021: where households are larger, so are the
    dwellings); means weighted by ``D``; negative shares clipped to 0, rows renormalised;
    integers per gemeente by largest remainders (ties to the smaller class), summing to ``D(g)``.

* ``lettings``: the embedded ``housing_modelled.csv`` (:class:`optimizer.data.dataset.HousingModel`):
  8 % of the corporation lettings, so offers follow the corporation stock, not the obligation
  (the model before issue 12; Amsterdam 1.68 times its population share, seven gemeenten none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from optimizer.data.dataset import HOUSING_MODEL
from optimizer.rules.dwellings import DWELLING_COLUMNS

OfferModelName = Literal["obligation", "lettings"]
OFFER_MODELS: tuple[str, ...] = ("obligation", "lettings")


@dataclass(frozen=True)
class ObligationOffers:
    """Constants of the obligation offer model (documented in docs/data.md)."""

    persons_per_dwelling: float = 2.0
    realisation_relaxed: float = 1.15
    realisation_tight: float = 1.00
    class_shares: tuple[float, ...] = HOUSING_MODEL.class_shares
    class_tilt: tuple[float, ...] = HOUSING_MODEL.class_tilt
    #: per person of average household size above the mean: fewer small, more large dwellings
    size_tilt: tuple[float, ...] = (-0.03, -0.03, 0.0, 0.04, 0.02)

    def realisation(self, pressure: np.ndarray) -> np.ndarray:
        """Dwellings found per dwelling needed at housing pressure 0..1."""
        return self.realisation_relaxed - (self.realisation_relaxed - self.realisation_tight) * pressure


OBLIGATION_OFFERS = ObligationOffers()


def class_mix(gemeenten: pd.DataFrame, weight: np.ndarray, model: ObligationOffers = OBLIGATION_OFFERS) -> np.ndarray:
    """Share of each size class per gemeente (rows sum to 1), from its own stock (KWB 2021)."""
    t = (gemeenten["multi_family_pct"].to_numpy(float) - gemeenten["single_family_pct"].to_numpy(float)) / 100
    a = gemeenten["avg_household_size"].to_numpy(float)
    w = weight if weight.sum() > 0 else np.ones(len(t))
    t_mean, a_mean = np.average(t, weights=w), np.average(a, weights=w)
    share = (np.array(model.class_shares)[None, :] + np.array(model.class_tilt)[None, :] * (t - t_mean)[:, None]
             + np.array(model.size_tilt)[None, :] * (a - a_mean)[:, None])
    share = np.clip(share, 0.0, None)
    return share / share.sum(axis=1, keepdims=True)


def split_by_largest_remainder(total: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Integers per row summing to ``total``: floors of ``total * share`` plus one for the largest
    remainders (ties to the smaller class)."""
    raw = total[:, None] * share
    out = np.floor(raw + 1e-9).astype(int)
    rest = total - out.sum(axis=1)
    order = np.argsort(-(raw - out), axis=1, kind="stable")
    for g in np.flatnonzero(rest > 0):
        out[g, order[g, :rest[g]]] += 1
    return out


def obligation_offers(target: pd.Series, pressure: pd.Series, gemeenten: pd.DataFrame,
                      model: ObligationOffers = OBLIGATION_OFFERS) -> pd.DataFrame:
    """Dwellings offered per half-year by size class (columns ``dwellings_c1..c5``, index as
    ``target``) under the obligation model: ``ceil(rho(pressure) * T / persons_per_dwelling)``
    dwellings split by the gemeente's own class mix (module docstring)."""
    t = np.clip(target.to_numpy(float), 0.0, None)
    rho = model.realisation(pressure.reindex(target.index).to_numpy(float))
    total = np.where(t > 0, np.ceil(rho * t / model.persons_per_dwelling - 1e-9), 0).astype(int)
    mix = class_mix(gemeenten.reindex(target.index), total.astype(float), model)
    return pd.DataFrame(split_by_largest_remainder(total, mix), index=target.index, columns=list(DWELLING_COLUMNS))


def describe_obligation(model: ObligationOffers = OBLIGATION_OFFERS) -> str:
    """The obligation model in one sentence (run records, ``spreiding data``)."""
    return (f"MODELLED (obligation): ceil(realisation x half-year target / {model.persons_per_dwelling:g} persons per "
            f"dwelling) dwellings, realisation {model.realisation_relaxed:g} at housing pressure 0 to "
            f"{model.realisation_tight:g} at 1, split by size class with the gemeente's own stock (KWB 2021 "
            "flats vs houses and household size); replace with --housing FILE")
