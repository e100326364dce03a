"""The documented draws: housing delay calibration, arrivals matching the target, batch dates,
the dwelling release."""

from __future__ import annotations

from datetime import date

import numpy as np

from optimizer.core.periods import Period
from optimizer.simulation.dwellings import housing_delay_days, release_schedule
from optimizer.simulation.scenario import Scenario, batch_dates, build_world


def test_housing_delay_matches_the_norm_and_the_70_percent():
    """P(delay <= 12 weeks) = 0.20 and P(delay > 14 weeks) = 0.70 (docs/simulation.md), within
    sampling error of 100,000 draws."""
    weeks = housing_delay_days(np.random.default_rng(0), 100_000) / 7
    assert abs((weeks <= 12).mean() - 0.20) < 0.01
    assert abs((weeks > 14).mean() - 0.70) < 0.01


def test_batch_dates_spread_over_the_half_year():
    p = Period.parse("2025-H2")
    days = batch_dates(p, 26)
    assert days[-1] == date(2025, 12, 31) and days[0] == date(2025, 7, 7)
    assert all(6 <= (b - a).days <= 8 for a, b in zip(days, days[1:]))
    assert batch_dates(p, 1) == [date(2025, 12, 31)]


def test_release_keeps_every_dwelling_once():
    rng = np.random.default_rng(1)
    offer = np.array([[3.0, 0, 10, 0, 1], [0, 5, 0, 2, 0]])
    rel = release_schedule(rng, offer, 4)
    assert rel.shape == (4, 2, 5) and (rel >= 0).all()
    assert rel[:, 0, 1].sum() == 0 and rel[:, 1, 0].sum() == 0  # nothing offered, nothing released


def test_arrivals_match_the_target_and_wait_for_their_permit():
    """The period's persons reach the target (the last household may overshoot it by less
    than its own size); every household arrives in the first batch on or after its permit;
    incomplete dossiers complete later; nareizigers point to a referent linked before."""
    sc = Scenario(provinces=("PV24",), weeks=8, scale=0.5)
    w = build_world(sc, 5)
    aw = w.awaiting
    persons = int(aw["persons"].sum())
    assert int(w.target.sum()) <= persons < int(w.target.sum()) + int(aw["persons"].iloc[-1])
    for h, k in w.arrival.items():
        permit = aw.loc[h, "permit_date"]
        assert w.days[k] >= permit and (k == 0 or w.days[k - 1] < permit)
    incomplete = ~(aw["has_bsn"] & aw["has_iban"])
    assert (w.complete_day[incomplete] > aw.loc[incomplete, "permit_date"]).all()
    assert (w.complete_day[~incomplete] == aw.loc[~incomplete, "permit_date"]).all()
    refs = set(aw["referent_id"]) - {""}
    assert refs <= set(w.context.index) and (w.context["linked_gm"] != "").all()
