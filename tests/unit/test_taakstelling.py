"""Tests of optimizer.rules.taakstelling: art. 29 allocation, carry-over, uitruil and pace.

Every expectation is recomputed independently: the formula ``ceil(vg * iG / iN)`` (or round half
up for "nearest") with :class:`fractions.Fraction`, the populations read straight from
``data/population.csv`` with the csv module, and the national numbers from docs/DOMAIN.md.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from optimizer.core.errors import InputError
from optimizer.core.paths import data_dir, raw_dir
from optimizer.core.periods import Period
from optimizer.data import schemas
from optimizer.rules import taakstelling as tk

# National numbers per half-year (docs/DOMAIN.md).
NATIONAL = {"2025-H1": 15_000, "2025-H2": 13_000, "2026-H1": 15_000}
N_GEMEENTEN = 342


# --------------------------------------------------------------------------------------------
# Independent reference implementation
# --------------------------------------------------------------------------------------------

def ceil_frac(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def expected_allocation(vg: int, pops: dict[str, int], rounding: str = "up") -> dict[str, int]:
    total = sum(pops.values())
    f = ceil_frac if rounding == "up" else round_half_up
    return {g: f(Fraction(vg * p, total)) for g, p in pops.items()}


def csv_population(reference_date: str) -> dict[str, int]:
    with open(data_dir() / "population.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["gm_code"]: int(r["population"]) for r in csv.DictReader(fh)
                if r["reference_date"] == reference_date}


POP_2024 = csv_population("2024-01-01")
POP_2025 = csv_population("2025-01-01")
RAW_2025 = raw_dir() / "cbs_bevolking_1jan2025_gemeenten.csv"  # CBS 03759NED (SOURCES.md file 12)


def write_population(path: Path, pops: dict[str, int], reference_date: str | None = None) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        if reference_date is None:
            w.writerow(["gm_code", "population"])
            w.writerows(pops.items())
        else:
            w.writerow(["gm_code", "reference_date", "population"])
            w.writerows((g, reference_date, p) for g, p in pops.items())
    return path


def test_reference_population_file_has_342_gemeenten():
    assert len(POP_2024) == N_GEMEENTEN


# --------------------------------------------------------------------------------------------
# allocate
# --------------------------------------------------------------------------------------------

def test_allocate_exact_integers_are_not_rounded_up():
    pop = pd.Series({"A": 3, "B": 7, "C": 10})
    # 10 * 3/20 = 1.5 -> 2; 10 * 7/20 = 3.5 -> 4; 10 * 10/20 = 5 exactly -> 5 (not 6)
    assert tk.allocate(10, pop, "up").to_dict() == {"A": 2, "B": 4, "C": 5}
    pop = pd.Series({"A": 30, "B": 70})
    assert tk.allocate(100, pop, "up").to_dict() == {"A": 30, "B": 70}
    assert tk.allocate(100, pop, "nearest").to_dict() == {"A": 30, "B": 70}


def test_allocate_up_rounds_any_fraction_up():
    pop = pd.Series({"A": 1, "B": 999})
    # 10 * 1/1000 = 0.01 -> 1 ; 10 * 999/1000 = 9.99 -> 10
    assert tk.allocate(10, pop, "up").to_dict() == {"A": 1, "B": 10}
    assert tk.allocate(10, pop, "nearest").to_dict() == {"A": 0, "B": 10}


def test_allocate_nearest_rounds_half_up():
    # 5 * 1/2 = 2.5 -> 3 (half up, not banker's 2); 3 * 1/2 = 1.5 -> 2
    assert tk.allocate(5, pd.Series({"A": 1, "B": 1}), "nearest").to_dict() == {"A": 3, "B": 3}
    assert tk.allocate(3, pd.Series({"A": 1, "B": 1}), "nearest").to_dict() == {"A": 2, "B": 2}
    # 1 * 1/4 = 0.25 -> 0 ; 1 * 3/4 = 0.75 -> 1
    assert tk.allocate(1, pd.Series({"A": 1, "B": 3}), "nearest").to_dict() == {"A": 0, "B": 1}
    # 7 * 1/4 = 1.75 -> 2 ; 7 * 3/4 = 5.25 -> 5 ; up: 2, 6
    assert tk.allocate(7, pd.Series({"A": 1, "B": 3}), "nearest").to_dict() == {"A": 2, "B": 5}
    assert tk.allocate(7, pd.Series({"A": 1, "B": 3}), "up").to_dict() == {"A": 2, "B": 6}


def test_allocate_zero_population_gets_zero():
    pop = pd.Series({"A": 0, "B": 5, "C": 0})
    for mode in ("up", "nearest"):
        assert tk.allocate(11, pop, mode).to_dict() == {"A": 0, "B": 11, "C": 0}


def test_allocate_zero_national_gives_zeros():
    assert tk.allocate(0, pd.Series({"A": 4, "B": 6}), "up").to_dict() == {"A": 0, "B": 0}


def test_allocate_keeps_index_and_integer_dtype():
    pop = pd.Series({"GM0003": 2, "GM0001": 1}, name="population")
    out = tk.allocate(3, pop)
    assert list(out.index) == ["GM0003", "GM0001"]
    assert out.dtype == "int64"
    assert out.to_dict() == {"GM0003": 2, "GM0001": 1}


@pytest.mark.parametrize("kwargs, text", [
    ({"national": 10, "population": pd.Series({"A": 1}), "rounding": "sideways"}, "rounding"),
    ({"national": -1, "population": pd.Series({"A": 1})}, ">= 0"),
    ({"national": 10, "population": pd.Series({"A": 0, "B": 0})}, "positive"),
])
def test_allocate_rejects_bad_arguments(kwargs, text):
    with pytest.raises(ValueError, match=text):
        tk.allocate(**kwargs)


@pytest.mark.parametrize("rounding", ["up", "nearest"])
def test_allocate_large_populations_match_fraction_math(rounding):
    rng = random.Random(20250701)
    pops = {f"GM{i:04d}": rng.randint(900_000_000, 1_100_000_000) for i in range(N_GEMEENTEN)}
    got = tk.allocate(13_000, pd.Series(pops), rounding).to_dict()
    assert got == expected_allocation(13_000, pops, rounding)


def test_allocate_is_exact_where_float_division_is_not():
    # vg * a = k * T + 1: the exact share is k + 1/T, a hair above an integer -> ceil gives k + 1.
    vg, total = 13_000, 10**13 + 7
    a = pow(vg, -1, total)
    pops = {"A": a, "B": total - a}
    exact = expected_allocation(vg, pops, "up")
    assert math.ceil(vg * a / total) != exact["A"]  # float arithmetic gets this case wrong
    assert tk.allocate(vg, pd.Series(pops), "up").to_dict() == exact


def test_allocate_nearest_is_exact_just_below_a_half():
    # vg * a = k * T + (T - 1) / 2: the share is k + 1/2 - 1/(2T) -> nearest gives k, not k + 1.
    vg, total = 13_000, 10**13 + 7
    a = ((total - 1) // 2) * pow(vg, -1, total) % total
    pops = {"A": a, "B": total - a}
    exact = expected_allocation(vg, pops, "nearest")
    assert math.floor(vg * a / total + 0.5) != exact["A"]  # float arithmetic gets this case wrong
    assert tk.allocate(vg, pd.Series(pops), "nearest").to_dict() == exact


# --------------------------------------------------------------------------------------------
# statutory_taakstelling
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("period", ["2025-H1", "2025-H2"])
@pytest.mark.parametrize("rounding", ["up", "nearest"])
def test_statutory_matches_formula_for_every_gemeente(period, rounding):
    vg = NATIONAL[period]
    out = tk.statutory_taakstelling(period, rounding=rounding)
    assert len(out) == N_GEMEENTEN
    assert set(out.index) == set(POP_2024)
    expected = expected_allocation(vg, POP_2024, rounding)
    assert out["taakstelling"].to_dict() == expected
    assert out["population_ref"].to_dict() == POP_2024
    assert set(out["rounding"]) == {rounding}
    assert set(out["period"]) == {period}
    assert set(out["national"]) == {vg}
    assert set(out["reference_date"]) == {"2024-01-01"}
    total = int(out["taakstelling"].sum())
    if rounding == "up":
        assert total >= vg
        assert total - vg < N_GEMEENTEN
    else:
        assert abs(total - vg) <= N_GEMEENTEN // 2


def test_statutory_up_never_below_nearest_and_at_most_one_above():
    up = tk.statutory_taakstelling("2025-H2", rounding="up")["taakstelling"]
    near = tk.statutory_taakstelling("2025-H2", rounding="nearest")["taakstelling"]
    diff = up - near
    assert diff.isin([0, 1]).all()


def test_statutory_default_rounding_is_the_law():
    assert set(tk.statutory_taakstelling("2025-H2")["rounding"]) == {"up"}


def test_statutory_accepts_period_object():
    a = tk.statutory_taakstelling(Period(2025, 2))
    b = tk.statutory_taakstelling("2025-H2")
    pd.testing.assert_frame_equal(a, b)


def test_statutory_national_override():
    out = tk.statutory_taakstelling("2025-H2", national=20_000)
    assert set(out["national"]) == {20_000}
    assert out["taakstelling"].to_dict() == expected_allocation(20_000, POP_2024, "up")


def test_statutory_negative_national_rejected():
    with pytest.raises(InputError) as exc:
        tk.statutory_taakstelling("2025-H2", national=-5)
    v = exc.value.violations[0]
    assert v.file == "--national" and v.value == -5


def test_statutory_unknown_national_names_known_periods():
    with pytest.raises(InputError) as exc:
        tk.statutory_taakstelling("2030-H1")
    msg = exc.value.report()
    assert "2030-H1" in msg and "2025-H2" in msg and "--national" in msg


def test_statutory_missing_reference_population_names_available_dates():
    # 2027-H1 needs the population of 1 January 2026, which the embedded dataset lacks.
    with pytest.raises(InputError) as exc:
        tk.statutory_taakstelling("2027-H1", national=14_000)
    msg = exc.value.report()
    assert "2026-01-01" in msg
    assert "2024-01-01" in msg and "2025-01-01" in msg  # the available dates
    assert "--population FILE" in msg and "--population-year 2025" in msg


def test_statutory_with_user_population_file(tmp_path):
    pops = {g: p + (i % 7) * 1000 for i, (g, p) in enumerate(sorted(POP_2024.items()))}
    path = write_population(tmp_path / "pop2025.csv", pops)
    out = tk.statutory_taakstelling("2026-H1", population_path=path)
    assert len(out) == N_GEMEENTEN
    assert out["taakstelling"].to_dict() == expected_allocation(NATIONAL["2026-H1"], pops, "up")
    assert set(out["reference_date"]) == {"2025-01-01"}


def test_statutory_user_population_file_with_reference_dates(tmp_path):
    pops = {g: p * 2 + 1 for g, p in POP_2024.items()}
    path = tmp_path / "pop.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["gm_code", "reference_date", "population"])
        w.writerows((g, "2024-01-01", 1) for g in POP_2024)  # other date: must be ignored
        w.writerows((g, "2025-01-01", p) for g, p in pops.items())
    out = tk.statutory_taakstelling("2026-H1", population_path=path, rounding="nearest")
    assert out["taakstelling"].to_dict() == expected_allocation(NATIONAL["2026-H1"], pops, "nearest")


# --------------------------------------------------------------------------------------------
# Data vintages: the period chooses its population; 2026 and 2027 half-years
# --------------------------------------------------------------------------------------------

def raw_population_2025() -> dict[str, int]:
    with open(RAW_2025, encoding="utf-8-sig", newline="") as fh:
        return {r["gm_code"]: int(r["bevolking_2025_01_01"]) for r in csv.DictReader(fh)}


@pytest.mark.parametrize("rounding", ["up", "nearest"])
def test_2026_h1_reproduces_the_formula_with_the_embedded_population_2025(rounding):
    assert len(POP_2025) == N_GEMEENTEN and sum(POP_2025.values()) == 18_044_027
    out = tk.statutory_taakstelling("2026-H1", rounding=rounding)
    assert out["taakstelling"].to_dict() == expected_allocation(15_000, POP_2025, rounding)
    assert out["population_ref"].to_dict() == POP_2025
    assert set(out["reference_date"]) == {"2025-01-01"} and set(out["national"]) == {15_000}
    assert "population_fallback" not in out


@pytest.mark.skipif(not RAW_2025.exists(), reason=f"{RAW_2025} not present")
@pytest.mark.parametrize("rounding", ["up", "nearest"])
def test_2026_h1_reproduces_the_formula_from_the_raw_cbs_file(rounding):
    pops = raw_population_2025()
    assert len(pops) == N_GEMEENTEN and sum(pops.values()) == 18_044_027
    out = tk.statutory_taakstelling("2026-H1", rounding=rounding)
    assert out["taakstelling"].to_dict() == expected_allocation(15_000, pops, rounding)


def test_2026_h2_needs_a_national_total_and_says_so():
    with pytest.raises(InputError) as exc:
        tk.statutory_taakstelling("2026-H2")
    assert len(exc.value.violations) == 1
    msg = exc.value.report()
    assert "2026-H2" in msg and "--national N" in msg and "2026-H1" in msg
    out = tk.statutory_taakstelling("2026-H2", national=13_000)
    assert out["taakstelling"].to_dict() == expected_allocation(13_000, POP_2025, "up")
    assert set(out["reference_date"]) == {"2025-01-01"}


def test_2027_h1_reports_missing_national_and_population_together():
    with pytest.raises(InputError) as exc:
        tk.statutory_taakstelling("2027-H1")
    assert [v.file for v in exc.value.violations] == ["data/taakstelling_national.csv", "--period"]
    msg = exc.value.report()
    assert "--national N" in msg and "2026-01-01" in msg and "--population-year 2025" in msg


def test_2027_h1_population_year_fallback_is_recorded():
    out = tk.statutory_taakstelling("2027-H1", national=14_000, population_year=2025)
    assert out["taakstelling"].to_dict() == expected_allocation(14_000, POP_2025, "up")
    assert set(out["reference_date"]) == {"2025-01-01"}
    (note,) = set(out["population_fallback"])
    assert "2025-01-01" in note and "2026-01-01" in note and "--population-year 2025" in note
    t = tk.build_targets("2027-H1", national=14_000, population_year=2025)
    assert set(t["population_fallback"]) == {note} and list(t.columns[-5:]) == [
        "period", "national", "reference_date", "rounding", "population_fallback"]
    record = tk.choose_population("2027-H1", population_year=2025).record()
    assert record == {"period": "2027-H1", "reference_date": "2025-01-01", "statutory_reference_date": "2026-01-01",
                      "source": record["source"], "fallback": note}
    assert "03759NED" in record["source"]


def test_population_year_of_the_statutory_date_is_no_fallback():
    a = tk.statutory_taakstelling("2026-H1", population_year=2025)
    pd.testing.assert_frame_equal(a, tk.statutory_taakstelling("2026-H1"))
    assert tk.choose_population("2026-H1").fallback is None


@pytest.mark.parametrize("year", [2030, 12])
def test_population_year_not_embedded_or_no_year_rejected(year):
    with pytest.raises(InputError) as exc:
        tk.statutory_taakstelling("2027-H1", national=14_000, population_year=year)
    (v,) = exc.value.violations
    assert v.file == "--population-year" and v.value == year


def test_2027_h1_with_a_user_population_file(tmp_path):
    pops = {g: p + 100 for g, p in POP_2025.items()}
    path = write_population(tmp_path / "pop2026.csv", pops, "2026-01-01")
    out = tk.statutory_taakstelling("2027-H1", national=14_000, population_path=path, rounding="nearest")
    assert out["taakstelling"].to_dict() == expected_allocation(14_000, pops, "nearest")
    assert set(out["reference_date"]) == {"2026-01-01"} and "population_fallback" not in out
    choice = tk.choose_population("2027-H1", path)
    assert str(path) in choice.source and choice.fallback is None


# --------------------------------------------------------------------------------------------
# Carry-over (achterstand / voorsprong)
# --------------------------------------------------------------------------------------------

def realised(rows: list[tuple], with_target: bool = True) -> pd.DataFrame:
    cols = ["gm_code", "period", "housed", "target"] if with_target else ["gm_code", "period", "housed"]
    return schemas.load_realised(pd.DataFrame([list(map(str, r)) for r in rows], columns=cols), "realised.csv")


def test_carry_over_with_target_column():
    r = realised([("GM0014", "2025-H1", 100, 150), ("GM0034", "2024-H2", 80, 60), ("GM0014", "2024-H2", 10, 15)])
    co = tk.carry_over(r, Period(2025, 2))
    assert len(co) == N_GEMEENTEN
    assert co["GM0014"] == (150 - 100) + (15 - 10)
    assert co["GM0034"] == 60 - 80  # voorsprong is negative
    assert (co.drop(["GM0014", "GM0034"]) == 0).all()


def test_carry_over_without_target_uses_statutory_of_that_period():
    r = realised([("GM0014", "2025-H1", 100), ("GM0034", "2025-H1", 500)], with_target=False)
    co = tk.carry_over(r, Period(2025, 2))
    stat_h1 = expected_allocation(NATIONAL["2025-H1"], POP_2024, "up")
    assert co["GM0014"] == stat_h1["GM0014"] - 100
    assert co["GM0034"] == stat_h1["GM0034"] - 500
    assert int(co.abs().sum()) == abs(co["GM0014"]) + abs(co["GM0034"])


def test_carry_over_empty_target_cell_uses_statutory_with_same_rounding():
    r = realised([("GM0014", "2025-H1", 100, ""), ("GM0034", "2025-H1", 100, 120)])
    co = tk.carry_over(r, Period(2025, 2), rounding="nearest")
    stat_h1 = expected_allocation(NATIONAL["2025-H1"], POP_2024, "nearest")
    assert co["GM0014"] == stat_h1["GM0014"] - 100
    assert co["GM0034"] == 20


def test_carry_over_rejects_current_and_later_periods():
    r = realised([("GM0014", "2025-H1", 1, 1), ("GM0034", "2025-H2", 2, 2), ("GM0037", "2026-H1", 3, 3)])
    with pytest.raises(InputError) as exc:
        tk.carry_over(r, Period(2025, 2), file="realised.csv")
    vs = exc.value.violations
    assert [(v.file, v.row, v.column, v.value) for v in vs] == [
        ("realised.csv", 3, "period", "2025-H2"), ("realised.csv", 4, "period", "2026-H1")]
    assert all("before 2025-H2" in v.rule for v in vs)


def test_build_targets_adds_carry_over_to_target():
    r = realised([("GM0014", "2025-H1", 100, 150), ("GM0034", "2025-H1", 300, 250)])
    t = tk.build_targets("2025-H2", realised=r)
    stat = expected_allocation(NATIONAL["2025-H2"], POP_2024, "up")
    assert t.loc["GM0014", "carry_over"] == 50
    assert t.loc["GM0014", "target"] == stat["GM0014"] + 50
    assert t.loc["GM0034", "target"] == stat["GM0034"] - 50
    other = t.drop(["GM0014", "GM0034"])
    assert (other["target"] == other["taakstelling"]).all()


def test_carry_over_earlier_period_uses_its_own_reference_population(tmp_path):
    # Population file for 2026-H1 (reference 1-1-2025), here GM0014 tripled so a mix-up shows.
    pops_2025 = dict(POP_2024)
    pops_2025["GM0014"] *= 3
    path = write_population(tmp_path / "pop2025.csv", pops_2025)
    r = realised([("GM0014", "2025-H2", 0)], with_target=False)
    t = tk.build_targets(Period(2026, 1), population_path=path, realised=r)
    # 2025-H2's statutory taakstelling uses the population of 1-1-2024 (art. 29(1)), not the
    # file given for 2026-H1.
    assert t.loc["GM0014", "carry_over"] == expected_allocation(NATIONAL["2025-H2"], POP_2024, "up")["GM0014"]
    assert tk.carry_over(r, Period(2026, 1))["GM0014"] == t.loc["GM0014", "carry_over"]


# --------------------------------------------------------------------------------------------
# Uitruil (swaps)
# --------------------------------------------------------------------------------------------

def swaps(rows: list[tuple]) -> pd.DataFrame:
    return schemas.load_swaps(pd.DataFrame([list(map(str, r)) for r in rows],
                                           columns=["swap_id", "gm_code", "delta"]), "swaps.csv")


def test_apply_swaps_adds_deltas_and_keeps_national_sum():
    base = tk.statutory_taakstelling("2025-H2")["taakstelling"]
    s = swaps([("a", "GM0014", 10), ("a", "GM0034", -10),
               ("b", "GM0037", 5), ("b", "GM0047", -2), ("b", "GM0050", -3),
               ("c", "GM0014", -4), ("c", "GM0037", 4)])
    delta = tk.apply_swaps(base, s)
    assert delta.to_dict()["GM0014"] == 6
    assert delta["GM0034"] == -10
    assert delta["GM0037"] == 9
    assert delta["GM0047"] == -2 and delta["GM0050"] == -3
    assert int(delta.sum()) == 0
    assert (delta.drop(["GM0014", "GM0034", "GM0037", "GM0047", "GM0050"]) == 0).all()
    t = tk.build_targets("2025-H2", swaps=s)
    assert int(t["target"].sum()) == int(base.sum())
    assert t.loc["GM0014", "target"] == base["GM0014"] + 6


def test_apply_swaps_may_bring_a_taakstelling_to_exactly_zero():
    base = tk.statutory_taakstelling("2025-H2")["taakstelling"]
    n = int(base["GM0037"])
    assert n == expected_allocation(NATIONAL["2025-H2"], POP_2024)["GM0037"]
    delta = tk.apply_swaps(base, swaps([("z", "GM0037", -n), ("z", "GM0014", n)]))
    assert int(base["GM0037"] + delta["GM0037"]) == 0


def test_apply_swaps_rejects_negative_taakstelling():
    base = tk.statutory_taakstelling("2025-H2")["taakstelling"]
    n = int(base["GM0037"]) + 1
    with pytest.raises(InputError) as exc:
        tk.apply_swaps(base, swaps([("z", "GM0037", -n), ("z", "GM0014", n)]), file="swaps.csv")
    vs = exc.value.violations
    assert len(vs) == 1
    assert (vs[0].file, vs[0].column, vs[0].value) == ("swaps.csv", "gm_code", "GM0037")
    assert "negative" in vs[0].rule and "(-1)" in vs[0].rule


def test_swap_not_summing_to_zero_rejected():
    with pytest.raises(InputError) as exc:
        swaps([("ok", "GM0014", 3), ("ok", "GM0034", -3), ("bad", "GM0014", 10), ("bad", "GM0037", -9)])
    vs = exc.value.violations
    assert len(vs) == 1
    assert (vs[0].file, vs[0].column, vs[0].value) == ("swaps.csv", "swap_id", "bad")
    assert "sum to 1" in vs[0].rule


def test_swap_unknown_gemeente_rejected():
    with pytest.raises(InputError) as exc:
        swaps([("a", "GM0014", 3), ("a", "GM9999", -3)])
    vs = exc.value.violations
    assert [(v.row, v.column, v.value) for v in vs] == [(3, "gm_code", "GM9999")]


# --------------------------------------------------------------------------------------------
# Pace
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("period, day, expected", [
    ("2025-H1", date(2025, 1, 1), Fraction(0)),
    ("2025-H1", date(2025, 2, 15), Fraction(45, 90)),  # Jan 31 + Feb 14 days of 90 (Jan 1 -> Apr 1)
    ("2025-H1", date(2025, 3, 31), Fraction(89, 90)),
    ("2025-H1", date(2025, 4, 1), Fraction(1)),
    ("2025-H1", date(2025, 6, 30), Fraction(1)),
    ("2025-H2", date(2025, 7, 1), Fraction(0)),
    ("2025-H2", date(2025, 8, 4), Fraction(34, 92)),  # Jul 1 -> Oct 1 is 92 days
    ("2025-H2", date(2025, 10, 1), Fraction(1)),
    ("2025-H2", date(2025, 12, 31), Fraction(1)),
    ("2024-H1", date(2024, 3, 1), Fraction(60, 91)),  # leap year: Jan 1 -> Apr 1 is 91 days
])
def test_pace_fraction(period, day, expected):
    assert tk.pace_fraction(Period.parse(period), day) == pytest.approx(float(expected), abs=1e-12)


@pytest.mark.parametrize("period, day", [("2025-H1", date(2025, 7, 1)), ("2025-H2", date(2025, 6, 30)),
                                         ("2025-H2", date(2026, 1, 1))])
def test_pace_date_outside_period_rejected(period, day):
    with pytest.raises(InputError) as exc:
        tk.pace_fraction(Period.parse(period), day)
    v = exc.value.violations[0]
    assert v.file == "--date" and v.value == day.isoformat() and period in v.rule


def test_pace_target_is_ceiling_of_share():
    target = pd.Series({"A": 92, "B": 10, "C": 0, "D": 1})
    got = tk.pace_target(target, Period(2025, 2), date(2025, 8, 4))
    expected = {k: ceil_frac(Fraction(v * 34, 92)) for k, v in target.items()}
    assert expected == {"A": 34, "B": 4, "C": 0, "D": 1}
    assert got.to_dict() == expected


def test_build_targets_with_day_and_linked():
    day = date(2025, 8, 4)
    linked = pd.Series({"GM0014": 3, "GM0034": 10_000, "GM0037": 0})
    t = tk.build_targets("2025-H2", day=day, linked=linked)
    stat = expected_allocation(NATIONAL["2025-H2"], POP_2024, "up")
    assert len(t) == N_GEMEENTEN
    for g in ("GM0014", "GM0034", "GM0037", "GM0050"):
        pace = ceil_frac(Fraction(stat[g] * 34, 92))
        assert t.loc[g, "pace_target"] == pace
        assert t.loc[g, "linked"] == linked.get(g, 0)
        assert t.loc[g, "batch_target"] == max(0, pace - linked.get(g, 0))
    assert t.loc["GM0034", "batch_target"] == 0
    assert t.loc["GM0014", "batch_target"] > 0
    assert (t["batch_target"] >= 0).all()
    assert t["pace_fraction"].iloc[0] == pytest.approx(34 / 92, abs=1e-6)


def test_build_targets_without_day_has_no_pace_columns():
    t = tk.build_targets("2025-H2")
    assert "pace_target" not in t.columns and "batch_target" not in t.columns
    assert (t["target"] == t["taakstelling"]).all()
    for col in ("period", "national", "reference_date", "rounding"):
        assert col in t.columns
