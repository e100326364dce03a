"""A scenario (what an analyst chooses) and the world it draws (what happens in it).

:class:`Scenario` names the period, the number of weekly batches, the scope (provinces), the
scale of the national number and the arrival and offer assumptions; :func:`build_world` draws
one :class:`World` from it and a seed: every random number of the simulation comes from
``numpy.random.default_rng(seed)`` drawn in a fixed order (and the generator's own seed), so
the same scenario and seed give the same world, whatever the policy.

Batch dates: ``weeks`` batches spread evenly over the half-year, the last on its last day
(:func:`batch_dates`; 26 batches are the weekly rhythm, fewer make a quick, coarser run).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from optimizer.core.periods import Period
from optimizer.data import dataset
from optimizer.rules.dwellings import DWELLING_COLUMNS
from optimizer.rules.taakstelling import allocate, national_total
from optimizer.simulation import arrivals, dwellings


@dataclass(frozen=True)
class Scenario:
    """What is simulated. ``provinces`` empty: all gemeenten; ``scale`` multiplies the
    national number and the dwelling offer (a small scale makes a quick run)."""

    period: str = "2025-H2"
    weeks: int = 26
    scale: float = 1.0
    provinces: tuple[str, ...] = ()
    national: int | None = None
    backlog_share: float = 0.3
    offer_factor: float = 1.0

    @property
    def name(self) -> str:
        scope = "+".join(self.provinces) if self.provinces else "NL"
        name = f"{self.period}-{scope}-w{self.weeks}-x{self.scale:g}"
        extra = [(k, getattr(self, k)) for k, d in (("national", None), ("backlog_share", 0.3), ("offer_factor", 1.0))
                 if getattr(self, k) != d]  # every choice that changes the world is in the name (the store's key)
        return name + "".join(f"-{k}{v:g}" for k, v in extra)

    def record(self) -> dict:
        return {**asdict(self), "provinces": list(self.provinces), "name": self.name}


@dataclass
class World:
    """One drawn half-year: everything that happens, whatever the policy.

    ``households`` (typed, index household_id) holds the awaiting households of the period and
    the referent rows (``linked_gm`` set, context of every batch); per awaiting household
    ``arrival`` (batch index at which it is first considered), ``complete_day`` (date its dossier
    is complete) and ``housing_days`` (delay from link to housed). ``release`` (weeks,
    gemeenten, 5) are the dwellings released per batch, ``target`` the half-year target per
    gemeente (persons), ``pressure`` the housing pressure.
    """

    period: Period
    days: list[date]
    gemeenten: list[str]
    target: pd.Series
    pressure: pd.Series
    release: np.ndarray
    households: pd.DataFrame
    arrival: pd.Series
    complete_day: pd.Series
    housing_days: pd.Series
    offer: np.ndarray = field(default_factory=lambda: np.zeros((0, 5)))  # expected half-year offer (g, 5)
    scope: pd.DataFrame | None = None  # dataset rows of the gemeenten (for sampled futures)
    reception: pd.Series | None = None  # reception places per gemeente (COA locations of sampled futures)
    backlog_share: float = 0.3

    @property
    def awaiting(self) -> pd.DataFrame:
        """The households of the period (not the referent rows)."""
        return self.households[self.households["linked_gm"] == ""]

    @property
    def context(self) -> pd.DataFrame:
        """Referent rows: linked before the period."""
        return self.households[self.households["linked_gm"] != ""]


def batch_dates(period: Period, weeks: int) -> list[date]:
    """``weeks`` batch dates spread evenly over the half-year, the last on its last day."""
    span = (period.end - period.start).days + 1
    return [period.start + timedelta(days=math.floor((w + 1) * span / weeks) - 1) for w in range(weeks)]


def scope_gemeenten(provinces: tuple[str, ...]) -> pd.DataFrame:
    """Dataset rows of the gemeenten in ``provinces`` (codes like PV24), all when empty."""
    gem = dataset.load_gemeenten()
    return gem[gem["provincie_code"].isin(provinces)] if provinces else gem


def scope_targets(scenario: Scenario, period: Period, codes: pd.Index) -> pd.Series:
    """Half-year target per gemeente of the scope: the statutory allocation (rounded up) of
    ``scale`` times the national number over all gemeenten, restricted to the scope."""
    national = round(national_total(period, scenario.national) * scenario.scale)
    population = dataset.load_population(period.reference_date)
    return allocate(national, population, "up").reindex(codes).astype("int64")


def build_world(scenario: Scenario, seed: int) -> World:
    """Draw the world of ``scenario`` for ``seed`` (deterministic)."""
    period = Period.parse(scenario.period)
    gem = scope_gemeenten(scenario.provinces)
    codes = gem.index
    target = scope_targets(scenario, period, codes)
    housing = dataset.load_housing().reindex(codes)
    reception = dataset.load_reception().reindex(codes).fillna(0)
    if float(reception.sum()) <= 0:  # no reception location in the scope: COA location by population
        reception = gem["population_2024"].astype(float)
    rng = np.random.default_rng(seed)
    days = batch_dates(period, scenario.weeks)

    households = arrivals.draw_households(rng, seed, int(target.sum()), gem, reception)
    awaiting = households.index[households["linked_gm"] == ""]
    n = len(awaiting)
    permits = arrivals.permit_dates(rng, n, period.start, days[-1], scenario.backlog_share)
    households.loc[awaiting, "permit_date"] = pd.Series(permits, index=awaiting, dtype=object)
    complete = (households.loc[awaiting, "has_bsn"] & households.loc[awaiting, "has_iban"]).to_numpy()
    completion = arrivals.completion_delay_days(rng, complete)
    delay = dwellings.housing_delay_days(rng, n)
    day_index = pd.Index(days)
    arrival = [int(day_index.searchsorted(p)) for p in permits]  # first batch on or after the permit

    offer = housing[list(DWELLING_COLUMNS)].to_numpy(dtype=float) * scenario.scale * scenario.offer_factor
    release = dwellings.release_schedule(rng, offer, scenario.weeks)
    return World(
        period=period, days=days, gemeenten=list(codes), target=target,
        pressure=housing["housing_pressure"].astype(float),
        release=release, households=households,
        arrival=pd.Series(arrival, index=awaiting, dtype="int64"),
        complete_day=pd.Series([p + timedelta(days=int(c)) for p, c in zip(permits, completion)], index=awaiting),
        housing_days=pd.Series(delay, index=awaiting, dtype="int64"),
        offer=offer, scope=gem, reception=reception, backlog_share=scenario.backlog_share,
    )
