"""Tests for the synthetic household generator (optimizer/synthetic.py, docs/households.md)."""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd
import pytest

from optimizer.core.paths import data_dir
from optimizer.data import synthetic
from optimizer.data.synthetic import (
    COLUMNS,
    DUTCH_LEVELS,
    EDUCATION_LEVELS,
    ENGLISH_LEVELS,
    NO_SECTOR,
    SECTORS,
    UNIVERSITY_GM,
    calibration_summary,
    generate_households,
    split_list,
)
from optimizer.data.validation import forbidden_column
from optimizer.rules.dwellings import required_class

AS_OF = datetime.date(2025, 9, 1)


def _gemeenten(with_sectors: bool = True) -> pd.DataFrame:
    """Twelve hand-made gemeenten: three university/UMC gemeenten, the rest small."""
    codes = ["GM0014", "GM0363", "GM0599", "GM0010", "GM0020", "GM0030",
             "GM0040", "GM0050", "GM0060", "GM0070", "GM0080", "GM0090"]
    pop = [240_000, 930_000, 670_000, 20_000, 35_000, 50_000, 15_000, 80_000, 45_000, 25_000, 60_000, 30_000]
    amr = ["AM01", "AM17", "AM30", "AM01", "AM01", "AM05", "AM05", "AM17", "AM30", "AM30", "AM05", "AM17"]
    g = pd.DataFrame({"gm_naam": [f"Gemeente {c}" for c in codes], "population_2024": pop, "amr_code": amr},
                     index=pd.Index(codes, name="gm_code"))
    if with_sectors:
        shares = [4, 14, 17, 7, 8, 23, 16, 11]
        names = ["agriculture", "industry_energy", "trade_hospitality", "transport_ict",
                 "finance_real_estate", "business_services", "public_edu_health", "culture_recreation"]
        for name, s in zip(names, shares):
            g[f"sector_{name}_pct"] = float(s)
    return g


def _reception() -> pd.Series:
    """Places for 6 of the 12 gemeenten; 0 for the others (as for 111 real gemeenten)."""
    return pd.Series({"GM0014": 800, "GM0363": 1500, "GM0599": 0, "GM0010": 0, "GM0020": 300,
                      "GM0030": 0, "GM0040": 120, "GM0050": 0, "GM0060": 0, "GM0070": 450,
                      "GM0080": 0, "GM0090": 60}, name="reception_places")


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return generate_households(600, 7, as_of=AS_OF, gemeenten=_gemeenten(), reception=_reception())


@pytest.fixture(scope="module")
def large() -> pd.DataFrame:
    return generate_households(8000, 1, as_of=AS_OF, gemeenten=_gemeenten(), reception=_reception())


def _awaiting(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["linked_gm"] == ""]


# ---------------------------------------------------------------------------- determinism
def test_same_seed_identical_frame() -> None:
    a = generate_households(500, 42, gemeenten=_gemeenten(), reception=_reception())
    b = generate_households(500, 42, gemeenten=_gemeenten(), reception=_reception())
    pd.testing.assert_frame_equal(a, b)


def test_different_seed_different_frame() -> None:
    a = generate_households(500, 42, gemeenten=_gemeenten(), reception=_reception())
    b = generate_households(500, 43, gemeenten=_gemeenten(), reception=_reception())
    assert not a.equals(b)
    assert (a["adult_ages"] != b["adult_ages"].reindex(a.index)).any()


def test_input_row_order_does_not_matter() -> None:
    g, r = _gemeenten(), _reception()
    a = generate_households(400, 5, gemeenten=g, reception=r)
    b = generate_households(400, 5, gemeenten=g.iloc[::-1], reception=r.sample(frac=1.0, random_state=3))
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------------------- structure
def test_exact_columns_and_types(small: pd.DataFrame) -> None:
    assert tuple(small.columns) == COLUMNS
    for col in ("persons", "adults", "children", "size_class"):
        assert pd.api.types.is_integer_dtype(small[col]), col
    for col in set(COLUMNS) - {"persons", "adults", "children", "size_class"}:
        assert all(isinstance(v, str) for v in small[col]), col


def test_no_forbidden_columns(small: pd.DataFrame) -> None:
    forbidden = ("nationality", "ethnic", "religion", "gender", "sex", "name", "country", "birth", "origin")
    for col in small.columns:
        assert not any(word in col.lower() for word in forbidden), col
        assert forbidden_column(col, household=True) is None, col


def test_n_honoured_plus_one_row_per_distinct_referent(small: pd.DataFrame) -> None:
    refs = set(small["referent_id"]) - {""}
    assert len(refs) > 0
    assert len(small) == 600 + len(refs)
    assert (small["linked_gm"].iloc[:600] == "").all()
    tail = small.iloc[600:]
    assert set(tail["household_id"]) == refs
    assert (tail["linked_gm"] != "").all() and (tail["referent_id"] == "").all()


def test_household_ids_unique_and_consecutive(small: pd.DataFrame) -> None:
    ids = list(small["household_id"])
    assert ids == [f"H{i:06d}" for i in range(1, len(small) + 1)]


def test_some_referents_shared_on_large_sample(large: pd.DataFrame) -> None:
    counts = large.loc[large["referent_id"] != "", "referent_id"].value_counts()
    assert (counts > 1).any()
    assert len(large) == 8000 + counts.size


def test_every_referent_points_to_linked_row(small: pd.DataFrame) -> None:
    by_id = small.set_index("household_id")
    nareizigers = small[small["referent_id"] != ""]
    for _, row in nareizigers.iterrows():
        ref = by_id.loc[row["referent_id"]]
        assert ref["linked_gm"] in _gemeenten().index
        assert ref["permit_date"] < row["permit_date"]


def test_zero_households() -> None:
    df = generate_households(0, 1, gemeenten=_gemeenten(), reception=_reception())
    assert len(df) == 0 and tuple(df.columns) == COLUMNS


@pytest.mark.parametrize("bad", [-1, 2.5, True])
def test_bad_n_rejected(bad: object) -> None:
    with pytest.raises(ValueError):
        generate_households(bad, 1, gemeenten=_gemeenten(), reception=_reception())  # type: ignore[arg-type]


def test_no_reception_places_rejected() -> None:
    with pytest.raises(ValueError, match="reception"):
        generate_households(10, 1, gemeenten=_gemeenten(), reception=_reception() * 0)


def test_missing_population_rejected() -> None:
    with pytest.raises(ValueError, match="population_2024"):
        generate_households(10, 1, gemeenten=_gemeenten().drop(columns="population_2024"),
                            reception=_reception())


# ---------------------------------------------------------------------------- per-row rules
def test_persons_adults_children_and_lists(small: pd.DataFrame) -> None:
    assert (small["persons"] == small["adults"] + small["children"]).all()
    assert (small["adults"] >= 1).all() and (small["children"] >= 0).all()
    for _, row in small.iterrows():
        a, c = row["adults"], row["children"]
        assert len(split_list(row["adult_ages"])) == a
        assert len(split_list(row["child_ages"])) == c
        for col in ("education", "sector", "dutch_level", "english_level"):
            assert len(split_list(row[col])) == a, col


def test_size_class_matches_required_class(small: pd.DataFrame) -> None:
    expected = [int(required_class(int(p))) for p in small["persons"]]
    assert list(small["size_class"]) == expected


def test_ages_in_range_and_plausible(large: pd.DataFrame) -> None:
    for _, row in large.iterrows():
        adults = [int(x) for x in split_list(row["adult_ages"])]
        kids = [int(x) for x in split_list(row["child_ages"])]
        assert all(18 <= x <= 70 for x in adults)
        assert all(0 <= x <= 17 for x in kids)
        if kids:
            assert max(adults) - max(kids) >= 16
    summary = calibration_summary(large)
    assert 0.8 <= summary["adult_age_18_45_share"] <= 0.97
    assert 6.5 <= summary["child_age_mean"] <= 10.5


def test_categorical_values_valid(small: pd.DataFrame) -> None:
    allowed = {
        "education": set(EDUCATION_LEVELS),
        "sector": set(SECTORS) | {NO_SECTOR},
        "dutch_level": set(DUTCH_LEVELS),
        "english_level": set(ENGLISH_LEVELS),
    }
    for col, values in allowed.items():
        seen = {x for cell in small[col] for x in split_list(cell)}
        assert seen <= values, (col, seen - values)
    assert set(small["has_bsn"]) <= {"true", "false"}
    assert set(small["has_iban"]) <= {"true", "false"}


def test_young_adults_have_no_higher_education(large: pd.DataFrame) -> None:
    for ages, edu in zip(large["adult_ages"], large["education"]):
        for age, e in zip(split_list(ages), split_list(edu)):
            assert not (int(age) < 21 and e == "higher")


def test_coa_location_only_where_reception_places(small: pd.DataFrame) -> None:
    r = _reception()
    with_places = set(r[r > 0].index)
    assert set(small["coa_location_gm"]) <= with_places
    assert (small["coa_location_gm"] != "").all()


def test_tie_codes_valid(large: pd.DataFrame) -> None:
    g = _gemeenten()
    gm = set(g.index)
    for col in ("tie_family_gm", "tie_work_gm", "linked_gm"):
        assert set(large[col]) - {""} <= gm, col
    assert set(large["tie_study_gm"]) - {""} <= set(UNIVERSITY_GM) & gm
    assert set(large["tie_medical_amr"]) - {""} <= set(g["amr_code"])
    assert all(re.fullmatch(r"AM\d\d", x) for x in set(large["tie_medical_amr"]) - {""})
    ref_rows = large[large["linked_gm"] != ""]
    for col in ("tie_family_gm", "tie_work_gm", "tie_study_gm", "tie_medical_amr"):
        assert (ref_rows[col] == "").all()


def test_permit_dates(large: pd.DataFrame) -> None:
    dates = pd.to_datetime(large["permit_date"], format="%Y-%m-%d")
    assert (dates <= pd.Timestamp(AS_OF)).all()
    awaiting = dates[large["linked_gm"] == ""]
    age = (pd.Timestamp(AS_OF) - awaiting).dt.days
    assert age.max() <= 183
    assert age.mean() < 70  # skewed to recent
    assert (age <= 30).mean() > (age > 150).mean()


def test_sector_columns_used() -> None:
    g = _gemeenten()
    for col in [c for c in g.columns if c.startswith("sector_")]:
        g[col] = 100.0 if col == "sector_agriculture_pct" else 0.0
    heavy = calibration_summary(generate_households(3000, 3, gemeenten=g, reception=_reception()))
    base = calibration_summary(generate_households(3000, 3, gemeenten=_gemeenten(False), reception=_reception()))
    assert heavy["sector_agriculture"] > base["sector_agriculture"] + 0.15


def test_csv_round_trip(small: pd.DataFrame, tmp_path) -> None:
    from optimizer.core.tables import read_table, write_table

    path = write_table(small, tmp_path / "households.csv")
    back = read_table(path)
    assert list(back.columns) == list(COLUMNS)
    assert (back["child_ages"] == small["child_ages"].astype(str).to_numpy()).all()
    assert (back["persons"].astype(int).to_numpy() == small["persons"].to_numpy()).all()


# ---------------------------------------------------------------------------- calibration
def test_calibration_on_national_half_year(large: pd.DataFrame) -> None:
    s = calibration_summary(large)
    assert s["households"] == 8000
    assert 0.60 <= s["single_share"] <= 0.70
    assert 1.8 <= s["mean_persons"] <= 2.1
    assert 14_500 <= s["persons"] <= 16_800
    assert 0.02 <= s["share_7plus"] <= 0.045
    assert (large["persons"] >= 8).any()
    assert 0.04 <= s["single_parent_share"] <= 0.12
    assert 0.085 <= s["tie_family_share"] <= 0.115
    assert 0.02 <= s["tie_work_share"] <= 0.04
    assert 0.012 <= s["tie_study_share"] <= 0.028
    assert 0.012 <= s["tie_medical_share"] <= 0.028
    assert 0.045 <= s["nareiziger_share"] <= 0.075
    assert 0.035 <= s["incomplete_dossier_share"] <= 0.065
    assert s["dutch_0"] + s["dutch_A1"] >= 0.8
    assert 0.40 <= s["sector_none"] <= 0.52
    assert abs(sum(s[f"education_{e}"] for e in EDUCATION_LEVELS) - 1) < 1e-9
    assert 30 <= s["permit_days_mean"] <= 60


def test_national_mix_helper_falls_back_without_sector_columns() -> None:
    g = _gemeenten(with_sectors=False)
    shares = synthetic._national_sector_shares(g, g["population_2024"].to_numpy(dtype=float))
    expected = np.array([synthetic.NATIONAL_SECTOR_SHARES_KWB2021[s] for s in SECTORS])
    np.testing.assert_allclose(shares, expected / expected.sum())


# ---------------------------------------------------------------------------- embedded dataset
@pytest.mark.skipif(not (data_dir() / "gemeenten.csv").exists(), reason="data/gemeenten.csv not built yet")
def test_defaults_use_embedded_dataset() -> None:
    from optimizer.data import dataset
    df = generate_households(2000, 11)
    g = dataset.load_gemeenten()
    r = dataset.load_reception()
    assert len(df) >= 2000
    assert set(df["coa_location_gm"]) <= set(r[r > 0].index.astype(str))
    for col in ("tie_family_gm", "tie_work_gm", "tie_study_gm", "linked_gm"):
        assert set(df[col]) - {""} <= set(g.index.astype(str)), col
    assert set(df["tie_medical_amr"]) - {""} <= set(g["amr_code"].astype(str))
    pd.testing.assert_frame_equal(df, generate_households(2000, 11))
    schemas = pytest.importorskip("optimizer.data.schemas")
    validated = schemas.validate_households(df)  # the generator's output is a valid input file
    assert len(validated) == len(df)
