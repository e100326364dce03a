"""Bonus-malus payment rules: what each gemeente receives or pays for its reception places.

Independent of the optimisation model: payments are computed from places and fair shares
only, so tests (and users) can re-check the model's financing term with these functions.

**Sign convention**: ``payment_eur > 0`` means the gemeente **receives** money (a bonus),
``payment_eur < 0`` that it **pays** (a malus). All amounts are euros per year.

For gemeente ``g`` with places ``x_g`` (split into categories, e.g. durable / temporary),
integer fair share ``s_g`` and population ``pop_g``:

* surplus ``u+_g = max(0, x_g - s_g)``, shortfall ``u-_g = max(0, s_g - x_g)``;
* place bonus ``PB_g = sum_c rate_c * x_{g,c}`` (e.g. the Spreidingswet: EUR 5,000 per durable
  place and 2,500 per other place in the national phase, 4,000 / 1,500 in the provincial phase);
* surplus bonus ``SB_g = T_surplus(u+_g)`` and raw malus ``M_g = T_shortfall(u-_g)``, where a
  tier function ``T(q) = sum_k rate_k * min(max(q - b_{k-1}, 0), b_k - b_{k-1})`` has
  breakpoints ``0 = b_0 < b_1 < ... < b_K = inf`` given in places, or as fractions of ``s_g``
  (``tier_unit = "share"``); one tier is a linear rate (e.g. the EU Pact reference of
  EUR 20,000 per place not provided); rising rates make a progressive scheme;
* caps per gemeente: ``bonus_g = min(PB_g + SB_g, cap_b_g)``, ``malus_g = min(M_g, cap_m_g)``,
  where a cap is the smaller of a fixed amount and an amount per inhabitant times ``pop_g``;
* **budget-neutral** schemes have no place bonus and no surplus tiers: the maluses form a pool
  ``P = sum_g malus_g`` that is paid out to the gemeenten above their share in proportion to
  their surplus, ``SB_g = P * u+_g / sum_h u+_h`` (bonus rate ``P / sum u+`` per place), so the
  State neither pays nor earns: ``sum_g payment_g = 0`` to the euro;
* ``payment_g = bonus_g - malus_g``.

Rounding to whole euros: each gemeente's malus and bonus are rounded half up; in a
budget-neutral scheme the pool is split with largest-remainder rounding so that the bonuses
add up to the pool exactly (and the balance is exactly 0).

A budget-neutral bonus rate depends on the whole allocation (pool / total surplus), which is
bilinear inside an optimisation model; :mod:`optimizer.reception.run` therefore fixes the rate for
each solve and updates it from the solution (see ``docs/reception.md``), while the reported
payments always come from :func:`payments` and balance exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from optimizer.rules.keys import largest_remainder

TierUnit = Literal["places", "share"]

#: Columns of :func:`payments`, in order.
PAYMENT_COLUMNS: tuple[str, ...] = (
    "places", "fair_share", "surplus", "shortfall", "place_bonus_eur", "surplus_bonus_eur",
    "bonus_uncapped_eur", "bonus_cap_eur", "bonus_eur", "malus_uncapped_eur", "malus_cap_eur", "malus_eur",
    "payment_eur",
)


@dataclass(frozen=True)
class Tier:
    """One tier: ``rate`` EUR per place for the quantity up to ``upto`` (None = no upper end).

    ``upto`` is in places, or a fraction of the fair share when the rule's ``tier_unit`` is
    ``"share"``.
    """

    upto: float | None
    rate: float


@dataclass(frozen=True)
class PaymentRule:
    """A bonus-malus scheme (see the module docstring for the formulas)."""

    place_bonus: Mapping[str, float] = field(default_factory=dict)  # category -> EUR per place
    surplus_tiers: tuple[Tier, ...] = ()
    shortfall_tiers: tuple[Tier, ...] = ()
    tier_unit: TierUnit = "places"
    bonus_cap_eur: float | None = None
    bonus_cap_eur_per_inhabitant: float | None = None
    malus_cap_eur: float | None = None
    malus_cap_eur_per_inhabitant: float | None = None
    budget_neutral: bool = False

    def __post_init__(self) -> None:
        check_rule(self)

    @property
    def is_empty(self) -> bool:
        """True when nobody ever pays or receives anything."""
        return (not any(v > 0 for v in self.place_bonus.values())
                and not any(t.rate > 0 for t in self.surplus_tiers)
                and not any(t.rate > 0 for t in self.shortfall_tiers))

    @property
    def depends_on_deviation(self) -> bool:
        """True when a payment depends on the surplus or shortfall against the share."""
        return any(t.rate > 0 for t in self.surplus_tiers) or any(t.rate > 0 for t in self.shortfall_tiers)


def check_rule(rule: PaymentRule) -> None:
    """Raise ``ValueError`` naming the problem when a rule is inconsistent."""
    for name, rate in rule.place_bonus.items():
        if not (math.isfinite(rate) and rate >= 0):
            raise ValueError(f"place_bonus[{name!r}] must be a finite rate >= 0 EUR per place, got {rate}")
    for label, tiers in (("surplus_tiers", rule.surplus_tiers), ("shortfall_tiers", rule.shortfall_tiers)):
        check_tiers(tiers, label)
    if rule.tier_unit not in ("places", "share"):
        raise ValueError(f"tier_unit must be 'places' or 'share', got {rule.tier_unit!r}")
    for name in ("bonus_cap_eur", "bonus_cap_eur_per_inhabitant", "malus_cap_eur", "malus_cap_eur_per_inhabitant"):
        value = getattr(rule, name)
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be >= 0 EUR, got {value}")
    if rule.budget_neutral:
        if any(v > 0 for v in rule.place_bonus.values()):
            raise ValueError("a budget-neutral scheme cannot pay a place bonus (the State would fund it)")
        if rule.surplus_tiers:
            raise ValueError("a budget-neutral scheme derives its bonus from the malus pool; give no surplus tiers")
        if rule.bonus_cap_eur is not None or rule.bonus_cap_eur_per_inhabitant is not None:
            raise ValueError("a budget-neutral scheme cannot cap bonuses (the pool would not be paid out)")


def check_tiers(tiers: Sequence[Tier], label: str = "tiers") -> None:
    """Rates >= 0; breakpoints > 0 and strictly increasing; only the last may be open (None)."""
    previous = 0.0
    for i, t in enumerate(tiers):
        if not (math.isfinite(t.rate) and t.rate >= 0):
            raise ValueError(f"{label}[{i}].rate must be a finite rate >= 0 EUR per place, got {t.rate}")
        if t.upto is None:
            if i != len(tiers) - 1:
                raise ValueError(f"{label}[{i}]: only the last tier may have no upper end")
            continue
        if not (math.isfinite(t.upto) and t.upto > previous):
            raise ValueError(f"{label}[{i}].upto must be larger than the previous breakpoint ({previous:g}), "
                             f"got {t.upto}")
        previous = t.upto


def tier_segments(tiers: Sequence[Tier], scale: float = 1.0) -> list[tuple[float, float]]:
    """``(width, rate)`` of each tier for one gemeente, with breakpoints multiplied by ``scale``
    (the share when ``tier_unit = "share"``); an open last tier has width ``inf``.

    A closed last tier means quantities above it are not charged (rate 0 beyond).
    """
    out = []
    previous = 0.0
    for t in tiers:
        if t.upto is None:
            out.append((math.inf, float(t.rate)))
            break
        upto = float(t.upto) * scale
        out.append((max(0.0, upto - previous), float(t.rate)))
        previous = upto
    return out


def tiered_amount(quantity: float, tiers: Sequence[Tier], scale: float = 1.0) -> float:
    """``T(q) = sum_k rate_k * min(max(q - b_{k-1}, 0), width_k)`` (EUR)."""
    q = max(0.0, float(quantity))
    total = 0.0
    for width, rate in tier_segments(tiers, scale):
        take = min(q, width)
        total += rate * take
        q -= take
        if q <= 0:
            break
    return total


def cap_amounts(rule: PaymentRule, population: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Bonus and malus caps per gemeente (EUR; ``inf`` where none applies)."""
    pop = population.astype(float)

    def cap(fixed: float | None, per_inh: float | None) -> pd.Series:
        out = pd.Series(math.inf, index=pop.index)
        if fixed is not None:
            out = np.minimum(out, float(fixed))
        if per_inh is not None:
            out = np.minimum(out, float(per_inh) * pop)
        return pd.Series(out, index=pop.index, dtype=float)

    return (cap(rule.bonus_cap_eur, rule.bonus_cap_eur_per_inhabitant),
            cap(rule.malus_cap_eur, rule.malus_cap_eur_per_inhabitant))


def _round_half_up(values: pd.Series) -> pd.Series:
    return np.floor(values.astype(float) + 0.5 + 1e-9).astype("int64")


def payments(places: pd.DataFrame | pd.Series, share: pd.Series, population: pd.Series,
             rule: PaymentRule) -> pd.DataFrame:
    """Payment of every gemeente under ``rule`` (EUR per year; > 0 receives, < 0 pays).

    ``places`` is a frame of places per category (columns = categories of ``rule.place_bonus``;
    other columns earn no place bonus) or a Series of total places. ``share`` is the integer fair
    share, ``population`` the inhabitants (for caps per inhabitant). Columns:
    :data:`PAYMENT_COLUMNS`; amounts are whole euros.
    """
    if isinstance(places, pd.Series):
        places = places.to_frame("places_total")
    index = share.index
    by_cat = places.reindex(index).fillna(0).astype(float)
    total = by_cat.sum(axis=1)
    s = share.astype(float)
    surplus = (total - s).clip(lower=0)
    shortfall = (s - total).clip(lower=0)
    scale = s if rule.tier_unit == "share" else pd.Series(1.0, index=index)

    place_bonus = pd.Series(0.0, index=index)
    for cat, rate in rule.place_bonus.items():
        if cat in by_cat.columns:
            place_bonus += float(rate) * by_cat[cat]
    malus_raw = pd.Series([tiered_amount(q, rule.shortfall_tiers, sc) for q, sc in zip(shortfall, scale)],
                          index=index, dtype=float)
    bonus_cap, malus_cap = cap_amounts(rule, population.reindex(index))
    malus = _round_half_up(np.minimum(malus_raw, malus_cap))

    if rule.budget_neutral:
        pool = int(malus.sum())
        if pool > 0 and surplus.sum() > 0:
            surplus_bonus = largest_remainder(surplus, pool).astype(float)
        else:
            surplus_bonus = pd.Series(0.0, index=index)
    else:
        surplus_bonus = pd.Series([tiered_amount(q, rule.surplus_tiers, sc) for q, sc in zip(surplus, scale)],
                                  index=index, dtype=float)
    bonus_raw = place_bonus + surplus_bonus
    bonus = _round_half_up(np.minimum(bonus_raw, bonus_cap))

    out = pd.DataFrame({
        "places": total.round().astype("int64"),
        "fair_share": share.astype("int64"),
        "surplus": surplus,
        "shortfall": shortfall,
        "place_bonus_eur": place_bonus,
        "surplus_bonus_eur": surplus_bonus,
        "bonus_uncapped_eur": bonus_raw,
        "bonus_cap_eur": bonus_cap,
        "bonus_eur": bonus,
        "malus_uncapped_eur": malus_raw,
        "malus_cap_eur": malus_cap,
        "malus_eur": malus,
        "payment_eur": (bonus - malus).astype("int64"),
    }, index=index)
    return out[list(PAYMENT_COLUMNS)]


def neutral_bonus_rate(payment_table: pd.DataFrame) -> float:
    """Budget-neutral bonus rate (EUR per place above share) = malus pool / total surplus."""
    surplus = float(payment_table["surplus"].sum())
    return float(payment_table["malus_eur"].sum()) / surplus if surplus > 0 else 0.0


def summary(payment_table: pd.DataFrame) -> dict[str, float | int]:
    """Totals of a payment table: bonuses, maluses, net cost to the State, counts."""
    bonus = int(payment_table["bonus_eur"].sum())
    malus = int(payment_table["malus_eur"].sum())
    pay = payment_table["payment_eur"]
    return {
        "bonus_total_eur": bonus,
        "malus_total_eur": malus,
        "net_cost_state_eur": bonus - malus,  # = sum of payments
        "transfers_total_eur": bonus + malus,  # gross money moved
        "gemeenten_receiving": int((pay > 0).sum()),
        "gemeenten_paying": int((pay < 0).sum()),
    }
