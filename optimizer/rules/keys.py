"""Distribution keys: each gemeente's fair share of a national (or provincial) number of places.

A key is a weighted sum of **components**, each a share vector over gemeenten that sums to 1:

``key_g = sum_c w_c * s_c(g)``, with ``sum_c w_c = 1`` and ``w_c >= 0``.

Components and their gemeente-level **proxies** (documented as proxies: the international keys
are defined for countries, and a gemeente has no GDP or unemployment rate of its own):

============== ======================================================================== =========
component      share of gemeente g                                                       direction
============== ======================================================================== =========
population     ``pop_g / sum pop`` (CBS 1-1-2024; the statutory baseline)                 more
economic       ``pop_g * inc_g / sum(pop * inc)``: total income, the GDP analogue,         more
               with ``inc`` = income per inhabitant (KWB 2021, kEUR) as the proxy of
               economic strength
labour_market  ``pop_g * lp_g / sum(pop * lp)``, ``lp`` = labour participation (%,        more
               KWB 2021): the proxy of Sweden's labour-market component
unemployment   ``pop_g / (1 + u_g / u_bar)``, normalised; ``u`` = WW recipients per 100   less
               inhabitants + bijstand recipients per 1,000 / 10 (benefit recipients per
               100 inhabitants, KWB 2021), ``u_bar`` its population-weighted mean. The EU
               2015 key gives a *smaller* share for *higher* unemployment.
past_efforts   ``pop_g / (1 + r_g / r_bar)``, normalised; ``r`` = existing reception      less
               places per inhabitant, ``r_bar`` its national value (total places / total
               population). Gemeenten that already host get a smaller share.
spreidingswet  ``indicative_g / sum indicative``: the published Spreidingswet indicative  as given
               distribution read from a file (e.g. the November 2025 NOS compilation)
============== ======================================================================== =========

The form ``1 / (1 + x / x_bar)`` for the two "less" components is this engine's choice (the EU
formulas for countries cap and rescale differently): it is 1 for a gemeente without any
unemployment / reception, 1/2 at the national level and falls smoothly above it, never divides
by zero, and reduces to the population share when every gemeente has the same rate.

Named keys (:data:`PRESETS`): ``population`` (statutory), ``spreidingswet`` (file),
``eu2015`` (40 % population, 40 % economic strength, 10 % past efforts, 10 % unemployment),
``eu2024`` (50 % population, 50 % economic strength; EU Pact solidarity key),
``sweden`` (43 % labour market, 37 % population, 20 % past reception) and ``custom`` (weights
from the variant file).

Integer places: fair shares are integerised **hierarchically with largest-remainder rounding**
(:func:`largest_remainder`): first the national number over provinces, then each provincial
number over its gemeenten. So the gemeente shares of a province sum to its total and the
provincial totals to the national number, exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Every component a key may use.
COMPONENTS: tuple[str, ...] = ("population", "economic", "labour_market", "unemployment", "past_efforts",
                               "spreidingswet")

#: Named keys -> component weights (each sums to 1).
PRESETS: dict[str, dict[str, float]] = {
    "population": {"population": 1.0},
    "spreidingswet": {"spreidingswet": 1.0},
    "eu2015": {"population": 0.4, "economic": 0.4, "past_efforts": 0.1, "unemployment": 0.1},
    "eu2024": {"population": 0.5, "economic": 0.5},
    "sweden": {"labour_market": 0.43, "population": 0.37, "past_efforts": 0.20},
}

#: Named keys a variant may give (``custom`` takes its weights from the variant).
KEY_NAMES: tuple[str, ...] = (*PRESETS, "custom")

#: Columns of the gemeenten frame each component needs.
COMPONENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "population": ("population_2024",),
    "economic": ("population_2024", "income_per_inhabitant_keur"),
    "labour_market": ("population_2024", "labour_participation_pct"),
    "unemployment": ("population_2024", "ww_per_100_inhabitants", "bijstand_per_1000_inhabitants"),
    "past_efforts": ("population_2024",),
    "spreidingswet": (),
}

WEIGHT_TOLERANCE = 1e-6


def _normalise(values: pd.Series, name: str) -> pd.Series:
    values = values.astype(float)
    if (values < 0).any() or not np.isfinite(values).all():
        raise ValueError(f"component {name!r}: values must be finite and >= 0")
    total = float(values.sum())
    if total <= 0:
        raise ValueError(f"component {name!r}: all values are zero")
    return (values / total).rename(name)


def population_component(gemeenten: pd.DataFrame) -> pd.Series:
    """``pop_g / sum pop``."""
    return _normalise(gemeenten["population_2024"], "population")


def economic_component(gemeenten: pd.DataFrame) -> pd.Series:
    """Total income ``pop_g * income_per_inhabitant_g``, normalised (GDP proxy)."""
    return _normalise(gemeenten["population_2024"] * gemeenten["income_per_inhabitant_keur"], "economic")


def labour_market_component(gemeenten: pd.DataFrame) -> pd.Series:
    """``pop_g * labour_participation_pct_g``, normalised (labour-market proxy)."""
    return _normalise(gemeenten["population_2024"] * gemeenten["labour_participation_pct"], "labour_market")


def unemployment_rate(gemeenten: pd.DataFrame) -> pd.Series:
    """Benefit recipients per 100 inhabitants: WW per 100 + bijstand per 1,000 / 10 (proxy)."""
    return (gemeenten["ww_per_100_inhabitants"] + gemeenten["bijstand_per_1000_inhabitants"] / 10.0).rename(
        "unemployment_rate")


def inverse_factor(rate: pd.Series, population: pd.Series) -> pd.Series:
    """``1 / (1 + r / r_bar)`` with ``r_bar`` the population-weighted mean of ``r`` (1 if all zero)."""
    pop = population.astype(float)
    r_bar = float((rate * pop).sum() / pop.sum())
    if r_bar <= 0:
        return pd.Series(1.0, index=rate.index)
    return 1.0 / (1.0 + rate.astype(float) / r_bar)


def unemployment_component(gemeenten: pd.DataFrame) -> pd.Series:
    """``pop_g / (1 + u_g / u_bar)``, normalised: higher unemployment, smaller share."""
    pop = gemeenten["population_2024"].astype(float)
    return _normalise(pop * inverse_factor(unemployment_rate(gemeenten), pop), "unemployment")


def past_efforts_component(gemeenten: pd.DataFrame, existing: pd.Series) -> pd.Series:
    """``pop_g / (1 + r_g / r_bar)``, normalised, ``r`` = existing places per inhabitant."""
    pop = gemeenten["population_2024"].astype(float)
    places = existing.reindex(gemeenten.index).fillna(0).astype(float)
    rate = places / pop
    return _normalise(pop * inverse_factor(rate, pop), "past_efforts")


def spreidingswet_component(indicative: pd.Series, index: pd.Index) -> pd.Series:
    """The published indicative distribution, normalised (missing gemeenten count as 0)."""
    return _normalise(indicative.reindex(index).fillna(0), "spreidingswet")


def resolve_weights(key: str, weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Component weights of a named key (``custom``: the given ``weights``), checked.

    Raises ``ValueError`` naming the problem for an unknown key or component, a negative weight
    or weights not summing to 1 (tolerance 1e-6).
    """
    if key not in KEY_NAMES:
        raise ValueError(f"unknown key {key!r}; expected one of {', '.join(KEY_NAMES)}")
    if key == "custom":
        if not weights:
            raise ValueError("key 'custom' needs weights, e.g. {population = 0.5, economic = 0.5}")
        out = {str(k): float(v) for k, v in weights.items()}
    else:
        if weights:
            raise ValueError(f"key {key!r} has fixed weights {PRESETS[key]}; give weights only with key = 'custom'")
        out = dict(PRESETS[key])
    unknown = [k for k in out if k not in COMPONENTS]
    if unknown:
        raise ValueError(f"unknown key component(s) {', '.join(map(repr, unknown))}; expected one of "
                         f"{', '.join(COMPONENTS)}")
    negative = {k: v for k, v in out.items() if not (v >= 0) or not math.isfinite(v)}
    if negative:
        raise ValueError(f"weights must be >= 0, got {negative}")
    total = sum(out.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise ValueError(f"weights must sum to 1, they sum to {total:.6g}")
    return out


def component_shares(gemeenten: pd.DataFrame, components: list[str] | tuple[str, ...], *,
                     existing: pd.Series | None = None,
                     indicative: pd.Series | None = None) -> pd.DataFrame:
    """One column per requested component, each summing to 1, indexed like ``gemeenten``."""
    out = {}
    for c in components:
        if c == "population":
            out[c] = population_component(gemeenten)
        elif c == "economic":
            out[c] = economic_component(gemeenten)
        elif c == "labour_market":
            out[c] = labour_market_component(gemeenten)
        elif c == "unemployment":
            out[c] = unemployment_component(gemeenten)
        elif c == "past_efforts":
            if existing is None:
                raise ValueError("component 'past_efforts' needs the existing reception places")
            out[c] = past_efforts_component(gemeenten, existing)
        elif c == "spreidingswet":
            if indicative is None:
                raise ValueError("component 'spreidingswet' needs the Spreidingswet indicative distribution "
                                 "(a file in the NOS format, see docs/reception.md)")
            out[c] = spreidingswet_component(indicative, gemeenten.index)
        else:
            raise ValueError(f"unknown key component {c!r}; expected one of {', '.join(COMPONENTS)}")
    return pd.DataFrame(out, index=gemeenten.index)


def key_shares(gemeenten: pd.DataFrame, weights: Mapping[str, float], *, existing: pd.Series | None = None,
               indicative: pd.Series | None = None) -> pd.Series:
    """``key_g = sum_c w_c s_c(g)``: a Series over gemeenten summing to 1 (name ``key_share``)."""
    used = [c for c, w in weights.items() if w > 0]
    comps = component_shares(gemeenten, used, existing=existing, indicative=indicative)
    share = sum(comps[c] * float(weights[c]) for c in used)
    share = share / share.sum()
    return share.rename("key_share")


def largest_remainder(quotas: pd.Series, total: int) -> pd.Series:
    """Integers ``n_i`` with ``sum n_i = total`` and ``|n_i - q_i| < 1``, where ``q`` are the
    quotas scaled to ``total`` (Hamilton's method).

    Each unit gets ``floor(q_i)``; the units left go one each to the largest fractional parts,
    ties broken by the larger quota, then by index order (``gm_code`` / province code).
    """
    total = int(total)
    if total < 0:
        raise ValueError("total must be >= 0")
    q = quotas.astype(float)
    if (q < 0).any():
        raise ValueError("quotas must be >= 0")
    s = float(q.sum())
    if total == 0 or len(q) == 0:
        return pd.Series(0, index=quotas.index, dtype="int64")
    if s <= 0:
        raise ValueError("quotas sum to zero: nothing to scale to the total")
    scaled = q * (total / s)
    base = np.floor(scaled.to_numpy() + 1e-9).astype(np.int64)
    base = np.minimum(base, np.ceil(scaled.to_numpy()).astype(np.int64))
    left = total - int(base.sum())
    frac = scaled.to_numpy() - base
    order = sorted(range(len(q)), key=lambda i: (-round(frac[i], 12), -scaled.iloc[i], i))
    if left > 0:
        for i in order[:left]:
            base[i] += 1
    elif left < 0:  # only through floating-point noise: take back from the smallest fractions
        for i in reversed(order):
            if left == 0:
                break
            if base[i] > 0:
                base[i] -= 1
                left += 1
    out = pd.Series(base, index=quotas.index, dtype="int64")
    assert int(out.sum()) == total
    return out


def provincial_totals_from_key(share: pd.Series, province: pd.Series, total: int) -> pd.Series:
    """Provincial totals: ``sum_{g in p} key_g * total``, integerised by largest remainder."""
    quota = share.groupby(province.reindex(share.index)).sum()
    return largest_remainder(quota.sort_index(), total).rename("province_total")


def fair_places(share: pd.Series, province: pd.Series, provincial_totals: pd.Series) -> pd.Series:
    """Integer fair share per gemeente: each province's total split over its gemeenten in
    proportion to ``share`` (largest remainder), so provincial sums are exact."""
    province = province.reindex(share.index)
    parts = []
    for p, total in provincial_totals.items():
        members = share[province == p]
        if len(members) == 0:
            if int(total) != 0:
                raise ValueError(f"province {p!r} has a total of {int(total)} places but no gemeenten")
            continue
        if float(members.sum()) <= 0:
            if int(total) != 0:
                raise ValueError(f"province {p!r}: the key gives its gemeenten a zero share but its total is "
                                 f"{int(total)}")
            parts.append(pd.Series(0, index=members.index, dtype="int64"))
            continue
        parts.append(largest_remainder(members, int(total)))
    missing = set(province.unique()) - set(provincial_totals.index)
    if missing:
        raise ValueError(f"no provincial total for {', '.join(sorted(map(str, missing)))}")
    return pd.concat(parts).reindex(share.index).astype("int64").rename("fair_share")
