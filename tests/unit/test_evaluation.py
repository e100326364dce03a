"""Province measures on hand-computed cases: a distribution against its target (deviations,
per 1,000, Gini/Theil/Lorenz of the burden per inhabitant), household types, the stoplicht
thresholds, the interventieladder under the strict and the fair rule on a hand-made history,
and forecasts that add up to the pipeline."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.core.errors import InputError
from optimizer.data import dataset
from optimizer.evaluation import distribution, forecast, monitoring

A, B, C, D, E = "GM0014", "GM0034", "GM0363", "GM0518", "GM0599"


# ------------------------------------------------------------------------------------------
# evaluate: a distribution against a target
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def three():
    """Inhabitants 1000 / 2000 / 1000; actual 2 / 2 / 0; target 1 / 2 / 1."""
    population = pd.Series([1000, 2000, 1000], index=pd.Index([A, B, C], name="gm_code"))
    actual = pd.Series({A: 2.0, B: 2.0})  # C absent: counts as 0
    target = pd.Series({A: 1.0, B: 2.0, C: 1.0})
    return distribution.gemeente_table(actual, target, population, dataset.load_gemeenten(), tolerance=0.1)


def test_gemeente_rows_by_hand(three):
    g = three.set_index("gm_code")
    assert g["deviation"].tolist() == [1.0, 0.0, -1.0]
    assert g["relative_deviation"].tolist() == [1.0, 0.0, -1.0]
    assert g["actual_per_1000"].tolist() == [2.0, 1.0, 0.0]
    assert g["deviation_per_1000"].tolist() == [1.0, 0.0, -1.0]
    assert g["within_tolerance"].tolist() == [False, True, False]


def test_overall_gini_theil_lorenz_by_hand(three):
    s = distribution.overall(three, 0.1)
    # burden 0.002 / 0.001 / 0 per inhabitant, weights 1000 / 2000 / 1000: sorted C, B, A
    # Lorenz X = 0, .25, .75, 1; Y = 0, 0, .5, 1; G = 1 - (.25*0 + .5*.5 + .25*1.5) = 0.375
    assert s["gini"] == pytest.approx(0.375)
    # mean burden .001; ratios 2, 1, 0: T = .25 * 2 ln 2 = ln(2) / 2
    assert s["theil"] == pytest.approx(math.log(2) / 2, abs=1e-6)
    assert s["share_within_tolerance"] == pytest.approx(1 / 3, abs=1e-6)
    assert (s["worst_relative_deviation"], s["worst_gemeente"]) == (1.0, A)
    assert (s["gemeenten_with_nothing"], s["gemeenten_with_nothing_but_a_target"]) == (1, 1)
    points = distribution.lorenz_points(three)
    assert points["gm_code"].tolist() == ["", C, B, A]
    assert points["share_population"].tolist() == [0.0, 0.25, 0.75, 1.0]
    assert points["share_amount"].tolist() == [0.0, 0.0, 0.5, 1.0]


def test_province_sums(three):
    p = distribution.province_table(three).set_index("provincie")
    assert p.loc["Groningen", ["target", "actual", "deviation"]].tolist() == [1.0, 2.0, 1.0]
    assert p["gemeenten"].sum() == 3 and p["actual"].sum() == 4.0


def test_zero_target_within_tolerance_only_with_nothing():
    pop = pd.Series([1000, 1000], index=pd.Index([A, B], name="gm_code"))
    g = distribution.gemeente_table(pd.Series({A: 0.0, B: 1.0}), pd.Series({A: 0.0, B: 0.0}), pop,
                                    dataset.load_gemeenten())
    assert g["within_tolerance"].tolist() == [True, False] and g["relative_deviation"].isna().all()


def _proposal_row(hid, status, persons, adults, children, score=None, best=None, coa=0.0, needed=1, dwelling=1):
    return {"household_id": hid, "status": status, "gm_code": A if status == "linked" else "", "persons": persons,
            "adults": adults, "children": children, "needed_class": needed,
            "dwelling_class": dwelling if status == "linked" else pd.NA, "shared_dwelling": False,
            "employment_score_here": score, "employment_score_best": best, "term_continuity": coa}


def test_household_outcomes_by_composition():
    proposal = pd.DataFrame([
        _proposal_row("H1", "linked", 1, 1, 0, 0.2, 0.3),
        _proposal_row("H2", "linked", 4, 2, 2, 0.6, 0.6, coa=5.0, needed=3, dwelling=4),
        _proposal_row("H3", "unplaced", 2, 1, 1),
        _proposal_row("H4", "excluded", 1, 1, 0),
        _proposal_row("H5", "context", 1, 1, 0),  # not decided here: in no group
    ])
    out = distribution.household_outcomes(proposal).set_index("household_type")
    assert out.loc["with children", ["households", "linked_share", "unplaced_share"]].tolist() == [2, 0.5, 0.5]
    assert out.loc["single adult", ["households", "linked_share"]].tolist() == [3, round(1 / 3, 4)]
    assert out.loc["all households", "households"] == 4
    assert out.loc["all households", "mean_labour_score"] == pytest.approx(0.4)
    assert out.loc["all households", "mean_labour_regret"] == pytest.approx(0.05)
    assert out.loc["all households", "left_coa_region_share"] == 0.5
    assert out.loc["all households", "larger_dwelling_share"] == 0.5
    assert set(out["grouping"]) == {"size", "children", "adults", "all"}


# ------------------------------------------------------------------------------------------
# stoplicht thresholds
# ------------------------------------------------------------------------------------------

def _rows(shortfalls, required=10, **extra):
    n = len(shortfalls)
    rows = pd.DataFrame({"gm_code": [A] * n, "period": ["2025-H1"] * n, "required": [required] * n,
                         "shortfall": shortfalls, "linked_by_deadline": pd.array([pd.NA] * n, dtype="Int64"),
                         "incomplete_dossiers": pd.array([pd.NA] * n, dtype="Int64"),
                         "awaiting_nareizigers": pd.array([pd.NA] * n, dtype="Int64"),
                         "excused": pd.array([pd.NA] * n, dtype="boolean")})
    for k, v in extra.items():
        rows[k] = pd.array(v, dtype="boolean" if k == "excused" else "Int64")
    rows["period"] = rows["period"].map(lambda p: monitoring.Period.parse(p))
    return rows


def test_stoplicht_tolerance_thresholds():
    out = monitoring.verdicts(_rows([-1, 0, 1, 2, 3]), monitoring.Stoplicht(tolerance_persons=2))
    assert out["verdict_strict"].tolist() == ["green", "green", "red", "red", "red"]
    assert out["verdict_fair"].tolist() == ["green", "green", "orange", "orange", "red"]
    assert out["peildatum"].tolist() == ["2025-07-01"] * 5


def test_stoplicht_tolerance_share_rounds_up():
    rules = monitoring.Stoplicht(tolerance_persons=2, tolerance_share=0.1)  # ceil(0.1 * 25) = 3 > 2
    out = monitoring.verdicts(_rows([3, 4], required=25), rules)
    assert out["tolerance"].tolist() == [3, 3] and out["verdict_fair"].tolist() == ["orange", "red"]


def test_stoplicht_corrections_and_their_switches():
    rows = _rows([6, 7, 6, 20], incomplete_dossiers=[4, 4, pd.NA, pd.NA], linked_by_deadline=[pd.NA, pd.NA, 6, pd.NA],
                 excused=[pd.NA, pd.NA, pd.NA, True])
    out = monitoring.verdicts(rows, monitoring.Stoplicht())
    # 4 dossiers + tolerance 2 cover 6, not 7; COA linked 6 of 10 (4 short) + 2 cover 6; excused
    assert out["verdict_fair"].tolist() == ["orange", "red", "orange", "orange"]
    assert out["coa_shortfall"].tolist() == [0, 0, 4, 0]
    assert out["excusable_persons"].tolist() == [4, 4, 4, 0]
    off = monitoring.verdicts(rows, monitoring.Stoplicht(incomplete_dossiers=False, coa_shortfall=False))
    assert off["verdict_fair"].tolist() == ["red", "red", "red", "orange"]


# ------------------------------------------------------------------------------------------
# interventieladder on a hand-made history
# ------------------------------------------------------------------------------------------

HISTORY = pd.DataFrame([
    # A misses by 5 every half-year (achterstand grows 5, 10, 15, 20)
    *[(A, p, 10, 5, "", "", "") for p in ("2024-H1", "2024-H2", "2025-H1", "2025-H2")],
    # B: two one-person misses at the end (9 of 10, then 10 of 11)
    (B, "2024-H1", 10, 10, "", "", ""), (B, "2024-H2", 10, 10, "", "", ""),
    (B, "2025-H1", 10, 9, "", "", ""), (B, "2025-H2", 10, 10, "", "", ""),
    # C: misses, an excusable miss (3 persons waiting for nareizigers), misses
    (C, "2024-H1", 10, 5, "", "", ""), (C, "2024-H2", 10, 12, "", "", "3"),
    (C, "2025-H1", 10, 5, "", "", ""), (C, "2025-H2", 10, 5, "", "", ""),
    # D: COA linked 4 of 10 by the deadline; then everything caught up
    (D, "2025-H1", 10, 4, "4", "", ""), (D, "2025-H2", 10, 16, "", "", ""),
], columns=["gm_code", "period", "taakstelling", "housed", "linked_by_deadline", "incomplete_dossiers",
            "awaiting_nareizigers"]).astype(str)


def _ladder(rules="default", history=HISTORY):
    real = monitoring.load_realisations(history, "history")
    return monitoring.monitor(monitoring.fill_taakstelling(real), monitoring.load_rules(rules))


def test_ladder_strict_and_fair_by_hand():
    t = _ladder().set_index(["gm_code", "period"])
    steps = {g: (t.loc[g, "step_strict"].tolist(), t.loc[g, "step_fair"].tolist()) for g in (A, B, C, D)}
    assert steps[A] == ([1, 2, 3, 4], [1, 2, 3, 4])
    assert steps[B] == ([0, 0, 1, 2], [0, 0, 0, 0])  # one-person misses: strict climbs, fair does not
    assert steps[C] == ([1, 2, 3, 4], [1, 1, 2, 3])  # the excusable miss freezes the fair step
    assert steps[D] == ([1, 0], [0, 0])  # COA's shortfall excused; meeting resets
    assert t.loc[C, "carry_in"].tolist() == [0, 5, 3, 8] and t.loc[C, "shortfall"].tolist() == [5, 3, 8, 13]
    assert t.loc[A, "step_name_strict"].tolist()[-1] == "aankondiging indeplaatsstelling"


def test_spared_gemeenten_and_why():
    spared = monitoring.spared(_ladder())
    assert sorted(set(spared["gm_code"])) == [B, C]
    c = spared[spared["gm_code"] == C].iloc[0]
    assert str(c["period"]) == "2024-H2" and c["excusable_nareizigers"] == 3
    assert spared[spared["gm_code"] == B]["shortfall"].tolist() == [1, 1]


def test_takeover_achterstand_or_whole_remaining_task():
    longer = pd.concat([HISTORY, pd.DataFrame([[A, "2026-H1", "12", "0", "", "", ""]], columns=HISTORY.columns)],
                       ignore_index=True)
    fl = _ladder("flevoland", longer).set_index(["gm_code", "period"])
    zh = _ladder("zuid-holland", longer).set_index(["gm_code", "period"])
    h2 = (A, monitoring.Period.parse("2025-H2"))
    assert fl.loc[h2, "step_strict"] == 4 and fl.loc[h2, "takeover_strict"] == 20 + 12  # achterstand + next task
    assert zh.loc[h2, "takeover_strict"] == 20  # the achterstand only
    assert zh.loc[h2, "step_name_strict"] == "indeplaatsstelling"
    assert (fl["takeover_fair"][fl["step_fair"] < 4] == 0).all()


def test_hold_keeps_the_step_on_a_met_peildatum():
    rules = monitoring.load_rules("default").ladder.model_copy(update={"on_meet": "hold"})
    assert monitoring.climb(["red", "green", "orange", "red"], rules) == ([1, 1, 1, 2], [1, 1, 1, 2])


def test_bad_rules_and_history_rejected(tmp_path):
    bad = tmp_path / "rules.toml"
    bad.write_text('kind = "monitoring"\n[ladder]\nsteps = [{name = "a", after_misses = 2}, '
                   '{name = "b", after_misses = 2}]\n[stoplicht]\ntolerance = 1\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        monitoring.load_rules(bad)
    text = err.value.report()
    assert "after_misses must increase" in text and "stoplicht.tolerance" in text
    gap = HISTORY[~((HISTORY["gm_code"] == A) & (HISTORY["period"] == "2024-H2"))]
    with pytest.raises(InputError, match="gap after 2024-H1"):
        monitoring.load_realisations(gap, "history")


# ------------------------------------------------------------------------------------------
# forecast
# ------------------------------------------------------------------------------------------

AS_OF = date(2025, 8, 4)


@pytest.fixture(scope="module")
def pipeline():
    return forecast.load_pipeline(pd.DataFrame({
        "household_id": ["P1", "P2", "P3", "P4"], "persons": ["4", "1", "3", "2"], "children": ["3", "0", "1", "0"],
        "child_ages": ["2;5;13", "", "17", ""], "expected_permit": ["2025-08-10", "2025-09-20", "2025-07-30", "2025-09-01"],
        "probability": ["0.5", "", "1", "0.25"], "gm_code": ["", "", C, ""]}), AS_OF, "pipeline")


def test_forecast_adds_up_to_the_pipeline(pipeline):
    weights = pd.Series({A: 3.0, B: 1.0})
    asg = forecast.assignment(pipeline, weights, known=pd.Series({"P4": D}))
    table = forecast.expected(pipeline, asg, AS_OF).set_index("gm_code")
    assert table["expected_persons"].sum() == pytest.approx(0.5 * 4 + 1 + 3 + 0.25 * 2)
    # P1 (0.5 x 4) and P2 (1 x 1) split 3:1 over A and B; P3 is known in C; P4 (proposal) in D
    assert table.loc[A, "expected_persons"] == pytest.approx(0.75 * (2 + 1))
    assert table.loc[B, "expected_persons"] == pytest.approx(0.25 * (2 + 1))
    assert table.loc[C, "expected_persons"] == pytest.approx(3)
    assert table.loc[D, "expected_persons"] == pytest.approx(0.5)
    assert table.loc[A, ["children_0_3", "children_4_11", "children_12_17"]].tolist() == pytest.approx([0.375] * 3)
    assert table.loc[C, "children_12_17"] == pytest.approx(1)
    # month 1: permits before 3 September (P1, P3 and P4); month 2: P2
    assert table.loc[A, "persons_month_2"] == pytest.approx(0.75)
    assert (table["persons_month_1"] + table["persons_month_2"]).sum() == pytest.approx(table["expected_persons"].sum())


def test_forecast_intervals_contain_certain_arrivals(pipeline):
    asg = forecast.assignment(pipeline, pd.Series({A: 3.0, B: 1.0}))
    gem, regions = forecast.forecast(pipeline, asg, AS_OF)
    c = gem.set_index("gm_code").loc[C]
    assert c["persons_p05"] == c["persons_p95"] == 3  # certain: permit probability 1, gemeente known
    assert (gem["persons_p05"] <= gem["expected_persons"] + 1e-9).all()
    assert (gem["persons_p95"] >= gem["expected_persons"] - 1e-9).all()
    for kind in ("corop", "provincie"):
        part = regions[regions["region_type"] == kind]
        assert part["expected_persons"].sum() == pytest.approx(gem["expected_persons"].sum(), abs=1e-3)
    again, _ = forecast.forecast(pipeline, asg, AS_OF)
    assert again.equals(gem)  # seeded: same input, same output


def test_forecast_all_zero_weights_fall_back_to_population(pipeline):
    asg = forecast.assignment(pipeline, pd.Series(dtype=float))
    assert asg.population_fallback and np.isclose(asg.shares.sum(), 1.0)


def test_bad_pipeline_rows_named():
    bad = pd.DataFrame({"household_id": ["P1", "P2"], "persons": ["2", "1"], "children": ["1", "0"],
                        "child_ages": ["4;7", ""], "expected_permit": ["2025-08-10", "2025-12-01"]})
    with pytest.raises(InputError) as err:
        forecast.load_pipeline(bad, AS_OF, "pipe.csv")
    text = err.value.report()
    assert "pipe.csv, row 2, column 'child_ages': value '4;7'" in text
    assert "pipe.csv, row 3, column 'expected_permit'" in text and "horizon" in text


# ------------------------------------------------------------------------------------------
# docs/monitoring.md shows the input specs as they are
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("marker, spec", [("realisations", monitoring.REALISATION_COLUMNS),
                                          ("pipeline", forecast.PIPELINE_COLUMNS)])
def test_monitoring_doc_has_the_current_specs(marker, spec):
    from optimizer.core.paths import REPO_ROOT
    from optimizer.data.validation import describe

    text = (REPO_ROOT / "docs" / "monitoring.md").read_text(encoding="utf-8")
    shown = text.split(f"<!-- {marker}:start -->\n")[1].split(f"\n<!-- {marker}:end -->")[0]
    assert shown == describe(spec)


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------

verdict_lists = st.lists(st.sampled_from(monitoring.VERDICTS), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(fair=verdict_lists, on_meet=st.sampled_from(["reset", "hold"]))
def test_fair_step_never_above_strict(fair, on_meet):
    """Strict sees red wherever fair sees orange or red (the same greens), so its count of
    misses, and so its step, is never below the fair one."""
    ladder = monitoring.load_rules("default").ladder.model_copy(update={"on_meet": on_meet})
    strict = ["green" if v == "green" else "red" for v in fair]
    fair_misses, fair_steps = monitoring.climb(fair, ladder)
    strict_misses, strict_steps = monitoring.climb(strict, ladder)
    assert all(f <= s for f, s in zip(fair_misses, strict_misses))
    assert all(f <= s for f, s in zip(fair_steps, strict_steps))
    assert all(0 <= s <= len(ladder.steps) for s in strict_steps)


households_st = st.lists(st.tuples(st.integers(1, 8), st.floats(0, 1), st.booleans()), min_size=1, max_size=15)


@settings(max_examples=50, deadline=None)
@given(rows=households_st, weights=st.lists(st.floats(0, 10), min_size=3, max_size=3))
def test_forecast_expectation_adds_up(rows, weights):
    codes = [A, B, C]
    pipeline = pd.DataFrame({"household_id": [f"P{i}" for i in range(len(rows))],
                             "persons": [p for p, _, _ in rows], "children": 0, "child_ages": "",
                             "expected_permit": [AS_OF] * len(rows), "probability": [q for _, q, _ in rows],
                             "gm_code": [D if known else "" for _, _, known in rows]})
    asg = forecast.assignment(pipeline, pd.Series(weights, index=codes))
    table = forecast.expected(pipeline, asg, AS_OF).set_index("gm_code")
    total = sum(p * q for p, q, _ in rows)
    assert table["expected_persons"].sum() == pytest.approx(total, abs=1e-9)
    share_d = asg.shares[asg.codes.index(D)]  # 0 unless the weights were all 0 (population shares)
    unknown = sum(p * q for p, q, k in rows if not k)
    assert table.loc[D, "expected_persons"] == pytest.approx(sum(p * q for p, q, k in rows if k) + share_d * unknown,
                                                             abs=1e-9)
    assert (table["expected_persons"] >= -1e-12).all()
