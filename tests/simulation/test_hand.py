"""Tiny half-years with outcomes computed by hand: one gemeente, known arrivals and dwellings."""

from __future__ import annotations

from datetime import date

import pytest
from support.simulation import row, simulate_checked, tiny_world

from optimizer.simulation import metrics
from optimizer.simulation.policies import Baseline

GM = "GM0034"  # Almere (Flevoland, COA region FL-UT-NH)
DAYS = [date(2025, 7, 7), date(2025, 7, 14), date(2025, 7, 21)]


def world():
    """Week 0: H1 (1 person, permit 1 July), H2 (3 persons, 2 July), H4 (1 person, 3 July, no
    IBAN until 20 July); week 1: H3 (2 persons, 10 July). Dwellings: week 0 one class 1 and one
    class 3; week 2 one class 2. Target 6 persons."""
    rows = [row("H1", 1, permit="2025-07-01", coa=GM, arrival=0),
            row("H2", 3, children=1, permit="2025-07-02", coa=GM, arrival=0),
            row("H4", 1, permit="2025-07-03", coa=GM, has_iban="false", arrival=0),
            row("H3", 2, permit="2025-07-10", coa=GM, arrival=1)]
    return tiny_world(rows, DAYS, {GM: 6}, {(0, GM, 1): 1, (0, GM, 3): 1, (2, GM, 2): 1},
                      complete={"H4": date(2025, 7, 20)}, housing_days={"H1": 70, "H2": 98, "H4": 84})


def test_baseline_links_by_hand():
    """Week 0: H1 -> class 1, H2 -> class 3 (permit order), H4 skipped (no IBAN). Week 1: H3
    needs class 2, none free: waits. Week 2: H4's dossier is complete and its permit (3 July)
    is older than H3's (10 July): H4 takes the class-2 dwelling (smallest free class >= 1); H3
    is never linked."""
    out, checked = simulate_checked(world(), Baseline())
    assert checked == 3
    got = {(h, g, int(d), int(w)) for h, g, d, w in zip(out.links["household_id"], out.links["gm_code"],
                                                         out.links["dwelling_class"], out.links["week"])}
    assert got == {("H1", GM, 1, 0), ("H2", GM, 3, 0), ("H4", GM, 2, 2)}


def test_baseline_waiting_by_hand():
    """Waiting to link: H1 6 days, H2 5 days, H4 18 days; housed after 70, 98, 84 days: in
    reception 76, 103, 102 days (10.857, 14.714, 14.571 weeks); 2 of 3 over 14 weeks."""
    w = world()
    out, _ = simulate_checked(w, Baseline())
    f = metrics.link_frame(w, out.links).set_index("household_id")
    assert f.loc["H1", "wait_link_weeks"] == pytest.approx(6 / 7)
    assert f.loc["H2", "wait_link_weeks"] == pytest.approx(5 / 7)
    assert f.loc["H4", "wait_link_weeks"] == pytest.approx(18 / 7)
    assert f.loc["H2", "reception_weeks"] == pytest.approx(103 / 7)
    from optimizer.koppeling.variant import load_variant
    from optimizer.simulation.hindsight import hindsight_context

    ctx = hindsight_context(w, load_variant("default"), None, solve=False).ctx
    s = metrics.summary(w, out.links, ctx)
    assert s["households_linked"] == 3 and s["persons_linked"] == 5
    assert s["persons_short_linked"] == 1  # target 6, linked 5
    assert s["gm_met_linked_share"] == 0.0
    assert s["reception_weeks_mean"] == pytest.approx((76 + 103 + 102) / 3 / 7)
    assert s["reception_over_14_share"] == pytest.approx(2 / 3)
    assert s["dwellings_unused"] == 0
    assert s["moved_out_of_region"] == 0


def test_baseline_prefers_the_gemeente_furthest_behind():
    """Two gemeenten of one COA region, one single household and a class-1 dwelling in each:
    the baseline links it where the open batch target is largest (Lelystad, 5 behind vs 1)."""
    lelystad, almere = "GM0995", "GM0034"
    w = tiny_world([row("H1", 1, permit="2025-07-01", coa=almere, arrival=0)], [date(2025, 9, 30)],
                   {almere: 1, lelystad: 5}, {(0, almere, 1): 1, (0, lelystad, 1): 1})
    out, _ = simulate_checked(w, Baseline())
    assert list(out.links["gm_code"]) == [lelystad]
