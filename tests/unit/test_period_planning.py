"""Tests of planning a half-year (docs/cycle.md, "Planning a half-year"): the batch-target rules
of :mod:`optimizer.rules.taakstelling` (pace, catch-up, before-start, whole-period) and the state
of :mod:`optimizer.rules.state` built from them.

Expectations are recomputed by hand with :class:`fractions.Fraction` (the linear pace from the
start of the half-year to the koppel deadline 1 April / 1 October, rounded up), from hand-written
linked, realised and swaps tables and the dwelling offer of the housing table.
"""

from __future__ import annotations

import datetime
import logging
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from optimizer.core.errors import InputError
from optimizer.core.periods import Period
from optimizer.data import dataset, schemas
from optimizer.data.synthetic import generate_households
from optimizer.rules import taakstelling as tk
from optimizer.rules.dwellings import DWELLING_COLUMNS
from optimizer.rules.offers import obligation_offers
from optimizer.rules.state import build_state

H1, H2 = Period(2025, 1), Period(2025, 2)
DAYS_TO_DEADLINE = {H1: 90, H2: 92}  # 1 Jan -> 1 Apr 2025, 1 Jul -> 1 Oct 2025
GEMEENTEN = ("GM0014", "GM0034", "GM0363")  # Groningen, Almere, Amsterdam


def ceil_pace(target: int, period: Period, day: date) -> int:
    """Persons due by ``day`` on the linear pace, by hand: ceil(T * days since start / days to deadline)."""
    share = min(Fraction(1), Fraction((day - period.start).days, DAYS_TO_DEADLINE[period]))
    x = target * share
    return max(0, -((-x.numerator) // x.denominator))


def small_targets() -> pd.Series:
    return pd.Series({"A": 92, "B": 10, "C": 0, "D": -5, "E": 177})


# --------------------------------------------------------------------------------------------
# Which rule
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("period, day, rule", [
    (H2, date(2025, 4, 1), "before-start"),   # the koppel deadline of 2025-H1: H2 may be planned ahead
    (H2, date(2025, 6, 30), "before-start"),
    (H2, date(2025, 7, 1), "pace"),
    (H2, date(2025, 9, 30), "pace"),
    (H2, date(2025, 10, 1), "pace"),          # on the deadline the pace is 1: everything is due
    (H2, date(2025, 10, 2), "catch-up"),
    (H2, date(2025, 12, 31), "catch-up"),
    (H1, date(2024, 10, 1), "before-start"),  # December planning of H1 starts on 1 October
    (H1, date(2024, 12, 2), "before-start"),
    (H1, date(2025, 4, 1), "pace"),
    (H1, date(2025, 4, 2), "catch-up"),
    (H1, date(2025, 6, 30), "catch-up"),
    (H2, None, "whole-period"),
])
def test_target_rule_before_at_and_after_the_deadline(period, day, rule):
    assert tk.target_rule(period, day) == rule


@pytest.mark.parametrize("period, day", [(H2, date(2025, 3, 31)), (H2, date(2026, 1, 1)),
                                         (H1, date(2024, 9, 30)), (H1, date(2025, 7, 1))])
def test_target_rule_rejects_dates_outside_the_planning_window(period, day):
    with pytest.raises(InputError) as exc:
        tk.target_rule(period, day)
    v = exc.value.violations[0]
    assert v.file == "--date" and v.value == day.isoformat()
    assert str(period) in v.rule and str(tk.first_batch_date(period)) in v.rule and str(period.end) in v.rule


# --------------------------------------------------------------------------------------------
# Batch targets by hand on a small series
# --------------------------------------------------------------------------------------------

def test_pace_before_the_deadline_is_the_increment_over_the_batch():
    day = date(2025, 8, 4)
    got = tk.batch_targets(small_targets(), H2, day, batch_days=7)
    for g, t in small_targets().clip(lower=0).items():
        pace, before = ceil_pace(t, H2, day), ceil_pace(t, H2, date(2025, 7, 28))
        assert (got.loc[g, "pace_target"], got.loc[g, "linked"], got.loc[g, "batch_target"]) == \
            (pace, before, pace - before)
    assert got.loc["A", "pace_target"] == 34 and got.loc["A", "linked"] == 27  # 92 * 34/92, ceil(92 * 27/92)
    assert (got["target_rule"] == "pace").all() and got.attrs["target_rule"] == "pace"
    assert got["pace_fraction"].iloc[0] == pytest.approx(34 / 92, abs=1e-6)


def test_pace_with_linked_given_and_a_two_week_batch():
    day = date(2025, 9, 1)
    linked = pd.Series({"A": 10, "B": 20, "E": 100})
    got = tk.batch_targets(small_targets(), H2, day, linked=linked, batch_days=14)
    for g, t in small_targets().clip(lower=0).items():
        assert got.loc[g, "linked"] == linked.get(g, 0)
        assert got.loc[g, "batch_target"] == max(0, ceil_pace(t, H2, day) - linked.get(g, 0))
    assert got.loc["B", "batch_target"] == 0  # ahead of the pace: nothing this batch


def test_on_the_deadline_everything_is_due():
    day = date(2025, 10, 1)
    got = tk.batch_targets(small_targets(), H2, day)
    t = small_targets().clip(lower=0)
    assert (got["pace_target"] == t).all() and got["pace_fraction"].iloc[0] == 1.0
    for g in t.index:  # linked assumed on pace until 24 September
        assert got.loc[g, "batch_target"] == t[g] - ceil_pace(t[g], H2, date(2025, 9, 24))
    assert got.attrs["target_rule"] == "pace"


def test_catch_up_is_all_still_missing():
    linked = pd.Series({"A": 50, "B": 12, "E": 170})
    got = tk.batch_targets(small_targets(), H2, date(2025, 11, 10), linked=linked)
    assert got["batch_target"].to_dict() == {"A": 42, "B": 0, "C": 0, "D": 0, "E": 7}
    assert (got["pace_target"] == small_targets().clip(lower=0)).all()
    assert (got["target_rule"] == "catch-up").all()


def test_catch_up_right_after_the_deadline_assumes_pace_until_the_previous_batch():
    day = date(2025, 10, 3)  # previous batch 26 September, before the deadline
    got = tk.batch_targets(small_targets(), H2, day)
    for g, t in small_targets().clip(lower=0).items():
        assert got.loc[g, "batch_target"] == t - ceil_pace(t, H2, date(2025, 9, 26))
    assert got.attrs["target_rule"] == "catch-up"


def test_catch_up_without_linked_is_rejected_not_all_zero():
    with pytest.raises(InputError) as exc:
        tk.batch_targets(small_targets(), H2, date(2025, 10, 8))  # previous batch on the deadline itself
    v = exc.value.violations[0]
    assert v.file == "--date" and v.value == "2025-10-08"
    assert "--linked" in v.rule and "--whole-period" in v.rule and "2025-10-01" in v.rule


def test_before_start_is_the_pace_of_the_first_batch():
    got = tk.batch_targets(small_targets(), H1, date(2024, 12, 2), batch_days=7)
    for g, t in small_targets().clip(lower=0).items():
        assert got.loc[g, "batch_target"] == ceil_pace(t, H1, date(2025, 1, 8))  # ceil(T * 7/90)
        assert got.loc[g, "linked"] == 0
    assert got.loc["A", "batch_target"] == 8  # ceil(92 * 7 / 90) = ceil(7.16)
    linked = pd.Series({"A": 5, "E": 50})
    ahead = tk.batch_targets(small_targets(), H1, date(2024, 12, 9), linked=linked)
    assert ahead.loc["A", "batch_target"] == 3 and ahead.loc["E", "batch_target"] == 0
    assert ahead.attrs["target_rule"] == "before-start"


def test_whole_period_is_target_minus_linked():
    linked = pd.Series({"A": 50, "B": 11})
    got = tk.batch_targets(small_targets(), H2, None, linked=linked)
    assert got["batch_target"].to_dict() == {"A": 42, "B": 0, "C": 0, "D": 0, "E": 177}
    assert got.attrs["target_rule"] == "whole-period" and got["pace_fraction"].iloc[0] == 1.0
    # a date is only checked: the numbers are those of the whole half-year
    dated = tk.batch_targets(small_targets(), H2, date(2025, 8, 4), linked=linked, whole_period=True)
    assert dated["batch_target"].equals(got["batch_target"])
    with pytest.raises(InputError):
        tk.batch_targets(small_targets(), H2, date(2026, 2, 1), whole_period=True)


# --------------------------------------------------------------------------------------------
# States on the embedded data
# --------------------------------------------------------------------------------------------

def _realised_and_swaps(tmp_path):
    realised = tmp_path / "realised.csv"
    realised.write_text("gm_code,period,housed,target\nGM0014,2025-H1,100,150\nGM0034,2025-H1,180,160\n",
                        encoding="utf-8")
    swaps = tmp_path / "swaps.csv"
    swaps.write_text("swap_id,gm_code,delta\nS1,GM0363,-9\nS1,GM0014,9\n", encoding="utf-8")
    return schemas.load_realised(realised), schemas.load_swaps(swaps)


def test_catch_up_state_by_hand_for_three_gemeenten(tmp_path):
    realised, swaps = _realised_and_swaps(tmp_path)
    linked = pd.Series({"GM0014": 120, "GM0034": 200, "GM0363": 300})
    state = build_state(H2, date(2025, 11, 3), realised=realised, swaps=swaps, linked=linked).set_index("gm_code")
    taak = state["taakstelling"]
    expected = {"GM0014": taak["GM0014"] + 50 + 9 - 120,   # achterstand 50, swap +9
                "GM0034": max(0, taak["GM0034"] - 20 - 200),  # voorsprong 20
                "GM0363": taak["GM0363"] - 9 - 300}
    assert {g: state.loc[g, "target"] for g in GEMEENTEN} == expected
    assert expected["GM0014"] > 0 and expected["GM0034"] == 0
    assert state.attrs["target_rule"] == "catch-up"
    others = state.drop(index=list(GEMEENTEN))
    assert (others["target"] == others["taakstelling"]).all()  # nothing linked there: all still missing
    # dwellings over the rest of the half-year: 3 Nov - 31 Dec is 59 of 184 days of the half-year's
    # offer, which the default (obligation) model derives from the half-year target
    period_target = taak.astype(float).copy()
    period_target[list(GEMEENTEN)] += [50 + 9, -20, -9]
    offer = _obligation(period_target, state)
    for c in DWELLING_COLUMNS:
        assert (state[c] == np.ceil(offer[c] * (59 / 184) - 1e-9)).all()


def _obligation(period_target: pd.Series, state: pd.DataFrame) -> pd.DataFrame:
    """The default (obligation) offers of the half-year for these period targets."""
    return obligation_offers(period_target, state["housing_pressure"].astype(float), dataset.load_gemeenten())


def test_whole_period_state_sums(tmp_path, caplog):
    realised, swaps = _realised_and_swaps(tmp_path)
    linked = pd.Series({"GM0014": 120, "GM0034": 200, "GM0050": 7})
    with caplog.at_level(logging.INFO, logger="optimizer.rules.state"):
        state = build_state(H2, realised=realised, swaps=swaps, linked=linked,
                            leefbaarheid_share=0.25, whole_period=True).set_index("gm_code")
    assert "whole-period" in caplog.text
    period_target = state["taakstelling"].copy()
    period_target[["GM0014", "GM0034", "GM0363"]] += [50 + 9, -20, -9]
    missing = (period_target - linked.reindex(state.index, fill_value=0)).clip(lower=0)
    assert (state["target"] == missing).all()
    almere = state.loc["GM0034", "taakstelling"] - 20
    assert almere < 200  # Almere linked more than its target: it counts as 0 still missing, not negative
    assert state["target"].sum() == state["taakstelling"].sum() + 50 - 20 - 120 - 7 - almere
    assert (state["linked"] == linked.reindex(state.index, fill_value=0)).all()
    offer = _obligation(period_target.astype(float), state)
    for c in DWELLING_COLUMNS:  # the whole half-year's offer, not the remaining fraction
        assert (state[c] == offer[c]).all()
    lettings = dataset.load_housing().reindex(state.index)["corporation_lettings_halfyear_est"].astype(float)
    assert (state["cap_households"].astype(int) == np.floor(0.25 * lettings + 1e-9).astype(int)).all()
    assert state.attrs["target_rule"] == "whole-period" and state.attrs["date"] is None
    schemas.load_state(state.reset_index())  # a valid state for propose


def test_whole_period_state_without_date_is_whole_period_and_dated_the_same():
    plain = build_state(H2)
    dated = build_state(H2, date(2025, 9, 15), whole_period=True)
    assert plain.attrs["target_rule"] == dated.attrs["target_rule"] == "whole-period"
    assert plain.equals(dated)
    assert (plain["target"] == plain["taakstelling"]).all() and (plain["linked"] == 0).all()


def test_december_batch_for_the_next_h1():
    state = build_state(H1, date(2024, 12, 2)).set_index("gm_code")
    assert state.attrs["target_rule"] == "before-start"
    for g in GEMEENTEN:
        t = int(state.loc[g, "taakstelling"])
        assert state.loc[g, "target"] == ceil_pace(t, H1, date(2025, 1, 8)) > 0
    assert (state["linked"] == 0).all()
    offer = _obligation(state["taakstelling"].astype(float), state)
    assert all((state[c] == offer[c]).all() for c in DWELLING_COLUMNS)  # the offers of H1, all ahead
    whole = build_state(H1, date(2024, 12, 2), whole_period=True).set_index("gm_code")
    assert (whole["target"] == whole["taakstelling"]).all()


@pytest.mark.parametrize("day, linked", [
    (date(2025, 8, 4), None), (date(2025, 9, 30), None), (date(2025, 10, 1), None), (date(2025, 10, 6), None),
    (date(2025, 8, 4), {"GM0014": 20}), (date(2025, 12, 1), {"GM0014": 120, "GM0034": 300}),
    (date(2025, 5, 12), None),
])
def test_same_date_same_numbers_in_taakstelling_and_state(day, linked):
    linked = pd.Series(linked) if linked else None
    t = tk.build_targets(H2, day=day, linked=linked)
    s = build_state(H2, day, linked=linked).set_index("gm_code")
    assert (s["target"] == t["batch_target"]).all()
    assert (s["linked"] == t["linked"]).all()
    assert (t["batch_target"] == (t["pace_target"] - t["linked"]).clip(lower=0)).all()
    assert s.attrs["target_rule"] == t.attrs["target_rule"] == t["target_rule"].iloc[0]


def test_groningen_on_4_august_2025():
    """The numbers of the issue: 66 due by the date (cumulative), 52 before the batch, 14 in it."""
    t = tk.build_targets(H2, day=date(2025, 8, 4))
    s = build_state(H2, date(2025, 8, 4)).set_index("gm_code")
    assert (t.loc["GM0014", "pace_target"], t.loc["GM0014", "linked"], t.loc["GM0014", "batch_target"]) == \
        (66, 52, 14)
    assert (s.loc["GM0014", "target"], s.loc["GM0014", "linked"]) == (14, 52)


# --------------------------------------------------------------------------------------------
# Synthetic households: permit dates and the batch date
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", [date(2024, 12, 2), date(2025, 1, 1), date(2025, 2, 28), date(2024, 2, 29),
                                   date(2025, 6, 30), date(2025, 7, 1), date(2025, 11, 17), date(2026, 12, 31)])
def test_household_permit_dates_on_or_before_the_batch_date(as_of):
    hh = generate_households(300, 5, as_of=as_of)
    permits = pd.to_datetime(hh["permit_date"]).dt.date
    assert (permits <= as_of).all()
    awaiting = hh["linked_gm"] == ""
    waited = (pd.Timestamp(as_of) - pd.to_datetime(hh.loc[awaiting, "permit_date"])).dt.days
    assert waited.between(0, 183).all() and waited.mean() < 90  # recent permits, within ~6 months
    referents = (pd.Timestamp(as_of) - pd.to_datetime(hh.loc[~awaiting, "permit_date"])).dt.days
    assert referents.between(183, 730).all()


def test_household_permit_dates_move_with_the_batch_date():
    a = generate_households(50, 3, as_of=datetime.date(2025, 8, 4))
    b = generate_households(50, 3, as_of=datetime.date(2026, 2, 2))
    shift = pd.to_datetime(b["permit_date"]) - pd.to_datetime(a["permit_date"])
    assert (shift.dt.days == (date(2026, 2, 2) - date(2025, 8, 4)).days).all()
    assert a.drop(columns="permit_date").equals(b.drop(columns="permit_date"))
