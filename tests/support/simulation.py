"""Helpers of the simulation tests: a hand-made world, and the independent checker run on every
weekly decision of a policy."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from optimizer.core.periods import Period
from optimizer.data import dataset, schemas
from optimizer.simulation.scenario import World
from optimizer.simulation.weekly import Outcome, Policy, simulate, week_tables
from support.checker import check_proposal, household_row


def tiny_world(rows: list[dict], days: list[date], target: dict[str, int], release: dict[tuple[int, str, int], int],
               complete: dict[str, date] | None = None, housing_days: dict[str, int] | None = None,
               period: str = "2025-H2") -> World:
    """A world by hand: ``rows`` (:func:`support.checker.household_row`; ``arrival`` = batch
    index), batch ``days``, half-year ``target`` per gemeente, dwellings released
    ``{(batch, gm_code, class): n}``, dossier completion dates, housing delays (default 84 days)."""
    arrival = {r["household_id"]: int(r.pop("arrival", 0)) for r in rows}
    hh = schemas.load_households(pd.DataFrame(rows))
    codes = sorted(target)
    rel = np.zeros((len(days), len(codes), 5), dtype=np.int64)
    for (w, g, k), n in release.items():
        rel[w, codes.index(g), k - 1] = n
    awaiting = hh.index[hh["linked_gm"] == ""]
    complete = complete or {}
    housing_days = housing_days or {}
    return World(
        period=Period.parse(period), days=days, gemeenten=codes, target=pd.Series(target).reindex(codes),
        pressure=dataset.load_housing()["housing_pressure"].reindex(codes).astype(float), release=rel,
        households=hh, arrival=pd.Series({h: arrival[h] for h in awaiting}, dtype="int64"),
        complete_day=pd.Series({h: complete.get(h, hh.loc[h, "permit_date"]) for h in awaiting}),
        housing_days=pd.Series({h: housing_days.get(h, 84) for h in awaiting}, dtype="int64"),
        offer=rel.sum(axis=0).astype(float))


def row(hid: str, persons: int = 1, **kw) -> dict:
    """A household row (children none unless given)."""
    return household_row(hid, persons, **kw)


def simulate_checked(world: World, policy: Policy, sharing: bool = True) -> tuple[Outcome, int]:
    """Run ``policy`` with the independent checker on every weekly decision; return the outcome
    and the number of weeks checked. The state given to the checker is the week's own (its
    batch target and the dwellings free that week)."""
    checked = 0

    def check(week, links):
        nonlocal checked
        proposal, gemeenten = week_tables(week, links)
        check_proposal(proposal, gemeenten, week.households, week.state.reset_index(), sharing=sharing)
        checked += 1

    return simulate(world, policy, on_week=check), checked
