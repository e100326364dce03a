"""Tests of optimizer.data.schemas: every bad input is reported with file, row, column, value and rule.

Rows are numbered as in a spreadsheet: the header is row 1, so the first data row is row 2.
Valid households come from :func:`optimizer.data.synthetic.generate_households`; each test corrupts
specific cells and checks the exact violations that must result.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from optimizer.core.errors import InputError, Violation
from optimizer.core.paths import data_dir
from optimizer.data import dataset, schemas
from optimizer.data.synthetic import generate_households
from optimizer.data.validation import parse
from optimizer.koppeling.scoring import load_scores
from optimizer.rules.dwellings import DWELLING_COLUMNS

FILE = "households.csv"


def _codes_from_csv() -> list[str]:
    with open(data_dir() / "gemeenten.csv", encoding="utf-8-sig", newline="") as fh:
        return sorted(r["gm_code"] for r in csv.DictReader(fh))


CODES = _codes_from_csv()


@pytest.fixture(scope="module")
def _generated() -> pd.DataFrame:
    df = generate_households(10, 7).astype(str)
    df["referent_id"] = ""  # referent tests set their own links
    return df


@pytest.fixture
def hh(_generated) -> pd.DataFrame:
    """A valid households table (text cells); rows 0-2 are given a known composition."""
    df = _generated.copy()
    set_family(df, 0, adults=[30], children=[])
    set_family(df, 1, adults=[40, 38], children=[10, 4])
    set_family(df, 2, adults=[25], children=[3])
    return df


def set_family(df: pd.DataFrame, i: int, adults: list[int], children: list[int]) -> None:
    """Give row ``i`` a consistent composition (so corruptions below are the only errors)."""
    n = len(adults)
    df.loc[i, "persons"] = str(n + len(children))
    df.loc[i, "adults"] = str(n)
    df.loc[i, "children"] = str(len(children))
    df.loc[i, "adult_ages"] = ";".join(map(str, adults))
    df.loc[i, "child_ages"] = ";".join(map(str, children))
    df.loc[i, "size_class"] = ""
    df.loc[i, "education"] = ";".join(["basic"] * n)
    df.loc[i, "sector"] = ";".join(["none"] * n)
    df.loc[i, "dutch_level"] = ";".join(["A1"] * n)
    df.loc[i, "english_level"] = ";".join(["good"] * n)


def violations_of(df: pd.DataFrame) -> list[Violation]:
    with pytest.raises(InputError) as exc:
        schemas.validate_households(df, FILE)
    return exc.value.violations


def where(vs: list[Violation]) -> list[tuple]:
    return [(v.file, v.row, v.column, v.value) for v in vs]


# --------------------------------------------------------------------------------------------
# Households: valid input
# --------------------------------------------------------------------------------------------

def test_valid_households_pass_and_are_typed(hh):
    out = schemas.validate_households(hh, FILE)
    assert len(out) == len(hh)
    assert list(out.index) == list(hh["household_id"])
    assert out.loc[hh.loc[1, "household_id"], "persons"] == 4
    assert out["persons"].dtype == "int64"
    assert out["has_bsn"].dtype == bool
    # empty size_class is derived: 1 person -> class 1, 4 persons -> class 3, 2 persons -> class 2
    assert out.loc[hh.loc[0, "household_id"], "size_class"] == 1
    assert out.loc[hh.loc[1, "household_id"], "size_class"] == 3
    assert out.loc[hh.loc[2, "household_id"], "size_class"] == 2


def test_lowercase_gemeente_code_is_normalised(hh):
    hh.loc[0, "coa_location_gm"] = CODES[0].lower()
    out = schemas.validate_households(hh, FILE)
    assert out["coa_location_gm"].iloc[0] == CODES[0]


def test_boolean_words_accepted(hh):
    pairs = [("ja", "nee"), ("1", "0"), ("TRUE", "False"), ("yes", "no"), ("Waar", "onwaar")]
    for i, (t, f) in enumerate(pairs):
        hh.loc[i, "has_bsn"] = t
        hh.loc[i, "has_iban"] = f
    out = schemas.validate_households(hh, FILE)
    assert out["has_bsn"].iloc[:len(pairs)].tolist() == [True] * len(pairs)
    assert out["has_iban"].iloc[:len(pairs)].tolist() == [False] * len(pairs)


def test_valid_referent_accepted(hh):
    hh.loc[0, "referent_id"] = hh.loc[1, "household_id"]
    out = schemas.validate_households(hh, FILE)
    assert out["referent_id"].iloc[0] == hh.loc[1, "household_id"]


def test_load_households_from_file_numbers_rows_like_a_spreadsheet(hh, tmp_path):
    hh.loc[2, "permit_date"] = "2025-02-30"
    path = tmp_path / "hh.csv"
    hh.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        schemas.load_households(path)
    assert where(exc.value.violations) == [(str(path), 4, "permit_date", "2025-02-30")]


# --------------------------------------------------------------------------------------------
# Households: unknown codes
# --------------------------------------------------------------------------------------------

BAD_CODES = ["GM9999", "0014", "Amsterdam"]


@pytest.mark.parametrize("column", ["coa_location_gm", "tie_family_gm", "tie_work_gm", "tie_study_gm", "linked_gm"])
def test_unknown_gemeente_code(hh, column):
    for i, value in enumerate(BAD_CODES):
        hh.loc[i + 2, column] = value
    vs = violations_of(hh)
    assert where(vs) == [(FILE, i + 4, column, value) for i, value in enumerate(BAD_CODES)]
    assert all("gemeente code" in v.rule for v in vs)


def test_unknown_labour_market_region(hh):
    hh.loc[1, "tie_medical_amr"] = "AM99"
    vs = violations_of(hh)
    assert where(vs) == [(FILE, 3, "tie_medical_amr", "AM99")]
    assert "arbeidsmarktregio" in vs[0].rule


def test_empty_coa_location_is_required(hh):
    hh.loc[0, "coa_location_gm"] = ""
    vs = violations_of(hh)
    assert where(vs) == [(FILE, 2, "coa_location_gm", "")]
    assert "empty" in vs[0].rule


# --------------------------------------------------------------------------------------------
# Households: ids and composition
# --------------------------------------------------------------------------------------------

def test_duplicate_household_ids(hh):
    hh.loc[3, "household_id"] = hh.loc[1, "household_id"]
    vs = violations_of(hh)
    dup = hh.loc[1, "household_id"]
    assert where(vs) == [(FILE, 3, "household_id", dup), (FILE, 5, "household_id", dup)]
    assert all("unique" in v.rule for v in vs)


def test_empty_household_id(hh):
    hh.loc[1, "household_id"] = "  "
    vs = violations_of(hh)
    assert (FILE, 3, "household_id", "") in where(vs)
    assert "empty" in vs[0].rule


def test_missing_household_id_in_dataframe_input(hh):
    hh = hh.astype(object)
    hh.loc[1, "household_id"] = None
    vs = violations_of(hh)
    assert [(v.row, v.column) for v in vs] == [(3, "household_id")]


def test_persons_below_one(hh):
    hh.loc[0, "persons"] = "0"
    hh.loc[2, "persons"] = "-1"
    vs = violations_of(hh)
    assert {v.row for v in vs} == {2, 4}
    ranged = [v for v in vs if "between 1 and 30" in v.rule]
    assert where(ranged) == [(FILE, 2, "persons", "0"), (FILE, 4, "persons", "-1")]


def test_persons_not_a_whole_number(hh):
    values = ["1.5", "two", ""]
    for i, value in enumerate(values):
        hh.loc[i, "persons"] = value
    vs = violations_of(hh)
    assert where(vs) == [(FILE, i + 2, "persons", value) for i, value in enumerate(values)]
    assert "whole number" in vs[0].rule and "whole number" in vs[1].rule
    assert "empty" in vs[2].rule


def test_persons_not_adults_plus_children(hh):
    hh.loc[1, "persons"] = "5"  # 2 adults + 2 children
    vs = violations_of(hh)
    assert where(vs) == [(FILE, 3, "persons", "5")]
    assert "persons must equal adults + children" in vs[0].rule and "2 + 2" in vs[0].rule


def test_child_ages_out_of_range(hh):
    bad = ["10;18", "-1;4", "10;x", "10;", "10;4.5"]
    for k, ages in enumerate(bad):
        set_family(hh, k + 3, adults=[35], children=[1, 2])
        hh.loc[k + 3, "child_ages"] = ages
    vs = violations_of(hh)
    assert where(vs) == [(FILE, k + 5, "child_ages", ages) for k, ages in enumerate(bad)]
    assert all("0-17" in v.rule for v in vs)


def test_adult_ages_out_of_range(hh):
    bad = ["17", "0", "121", "abc", "-20"]
    for k, ages in enumerate(bad):
        set_family(hh, k + 3, adults=[35], children=[])
        hh.loc[k + 3, "adult_ages"] = ages
    vs = violations_of(hh)
    assert where(vs) == [(FILE, k + 5, "adult_ages", ages) for k, ages in enumerate(bad)]
    assert all("18-120" in v.rule for v in vs)


def test_per_adult_list_wrong_length(hh):
    cases = [("adult_ages", "30;31", 2), ("education", "", 0), ("sector", "none;none", 2),
             ("dutch_level", "A1;A2", 2), ("english_level", "good;good", 2)]
    for k, (column, value, _) in enumerate(cases):
        set_family(hh, k + 3, adults=[35], children=[])
        hh.loc[k + 3, column] = value
    vs = violations_of(hh)
    assert where(vs) == [(FILE, k + 5, column, value) for k, (column, value, _) in enumerate(cases)]
    for v, (_, _, found) in zip(vs, cases):
        assert "expected 1 ';'-separated entries (one per adult)" in v.rule and f"found {found}" in v.rule


def test_child_ages_wrong_length(hh):
    hh.loc[1, "child_ages"] = "10"
    vs = violations_of(hh)
    assert where(vs) == [(FILE, 3, "child_ages", "10")]
    assert "expected 2" in vs[0].rule and "found 1" in vs[0].rule


def test_unknown_list_values(hh):
    cases = [("education", "phd", "higher"), ("sector", "mining", "agriculture"),
             ("dutch_level", "C2", "B1"), ("english_level", "fluent", "good"), ("education", "Basic", "basic")]
    for k, (column, value, _) in enumerate(cases):
        set_family(hh, k + 3, adults=[35], children=[])
        hh.loc[k + 3, column] = value
    hh.loc[1, "sector"] = "none;mining"  # second of two adults wrong
    vs = violations_of(hh)
    vs = sorted(vs, key=lambda v: v.row)
    assert where(vs) == [(FILE, 3, "sector", "none;mining")] + [
        (FILE, k + 5, column, value) for k, (column, value, _) in enumerate(cases)]
    for v, (_, _, allowed) in zip(vs[1:], cases):
        assert allowed in v.rule


def test_size_class_too_small(hh):
    hh.loc[1, "size_class"] = "2"  # 4 persons need class 3
    vs = violations_of(hh)
    assert where(vs) == [(FILE, 3, "size_class", "2")]
    assert "at least 3" in vs[0].rule


# --------------------------------------------------------------------------------------------
# Households: referents
# --------------------------------------------------------------------------------------------

def test_referent_missing(hh):
    hh.loc[0, "referent_id"] = "NOPE"
    vs = violations_of(hh)
    assert where(vs) == [(FILE, 2, "referent_id", "NOPE")]
    assert "referent missing" in vs[0].rule


def test_referent_is_self(hh):
    own = hh.loc[2, "household_id"]
    hh.loc[2, "referent_id"] = own
    vs = violations_of(hh)
    assert where(vs) == [(FILE, 4, "referent_id", own)]
    assert "own referent" in vs[0].rule


def test_referent_chain_rejected(hh):
    _a, b, c = (hh.loc[i, "household_id"] for i in range(3))
    hh.loc[0, "referent_id"] = b  # a -> b -> c
    hh.loc[1, "referent_id"] = c
    vs = violations_of(hh)
    assert where(vs) == [(FILE, 2, "referent_id", b)]
    assert "chains are not allowed" in vs[0].rule


# --------------------------------------------------------------------------------------------
# Households: booleans, dates, columns
# --------------------------------------------------------------------------------------------

def test_bad_boolean(hh):
    cases = [("has_bsn", "maybe"), ("has_bsn", "2"), ("has_iban", "-"), ("has_iban", "")]
    for k, (column, value) in enumerate(cases):
        hh.loc[k, column] = value
    vs = violations_of(hh)
    assert where(vs) == [(FILE, k + 2, column, value) for k, (column, value) in enumerate(cases)]
    assert [("true or false" in v.rule, "empty" in v.rule) for v in vs] == [(True, False)] * 3 + [(False, True)]


def test_bad_date(hh):
    bad = ["2025-13-01", "01-08-2025", "2025/08/01", "yesterday", "2025-02-29", ""]
    for k, value in enumerate(bad):
        hh.loc[k, "permit_date"] = value
    vs = violations_of(hh)
    assert where(vs) == [(FILE, k + 2, "permit_date", value) for k, value in enumerate(bad)]
    assert all("YYYY-MM-DD" in v.rule for v in vs[:-1]) and "empty" in vs[-1].rule


def test_missing_required_columns_all_reported(hh):
    missing = ["household_id", "persons", "adults"]
    vs = violations_of(hh.drop(columns=missing))
    assert sorted(where(vs), key=lambda t: t[2]) == sorted((FILE, None, c, None) for c in missing)
    assert all("required column is missing" in v.rule for v in vs)


def test_columns_some_terms_use_are_needed_only_by_those_terms(hh):
    # absent score-only, permit and COA columns load; a run names them when it needs them
    optional = ["adult_ages", "education", "sector", "dutch_level", "english_level", "has_bsn", "has_iban",
                "permit_date", "coa_location_gm"]
    out = schemas.validate_households(hh.drop(columns=optional), FILE)
    assert set(out.attrs["absent"]) == set(optional) and out["has_bsn"].all()
    need = schemas.check_needed_columns(out, FILE, scores_given=False, weights={"waiting": 20.0, "continuity": 0.0})
    assert sorted(v.column for v in need) == sorted(["adult_ages", "education", "sector", "dutch_level",
                                                      "english_level", "permit_date"])
    assert all(v.file == FILE and "required column is missing" in v.rule for v in need)
    assert schemas.check_needed_columns(out, FILE, scores_given=True, weights={"waiting": 0.0}) == []
    # child ages: needed by the school-child continuity term once a household has children
    no_ages = schemas.validate_households(hh.drop(columns=["child_ages"]).assign(children="0", persons=hh["adults"]),
                                          FILE)
    assert schemas.check_needed_columns(no_ages, FILE, scores_given=True,
                                        weights={"continuity_per_school_child": 2.0}) == []
    no_ages["children"] = 1
    need = schemas.check_needed_columns(no_ages, FILE, scores_given=True, weights={"continuity_per_school_child": 2.0})
    assert [v.column for v in need] == ["child_ages"] and "weight 2" in need[0].rule


def test_optional_columns_may_be_absent(hh):
    out = schemas.validate_households(hh.drop(columns=["child_ages", "size_class", "tie_family_gm", "tie_work_gm",
                                                       "tie_study_gm", "tie_medical_amr", "referent_id", "linked_gm"])
                                      .assign(children="0", persons=lambda d: d["adults"]), FILE)
    assert (out["tie_family_gm"] == "").all()


FORBIDDEN = ["nationality", "Nationaliteit", "gender", "geslacht", "sex", "religion", "religie", "ethnicity",
             "country_of_birth", "geboorteland", "herkomst", "name", "naam", "first_name", "family_name"]


def test_forbidden_columns_rejected(hh):
    for c in FORBIDDEN:
        hh[c] = "x"
    vs = violations_of(hh)
    assert sorted(where(vs), key=lambda t: t[2]) == sorted((FILE, None, c, None) for c in FORBIDDEN)
    assert all("not allowed" in v.rule for v in vs)


def test_forbidden_name_like_columns_rejected(hh):
    columns = ["achternaam", "voornaam", "surname", "lastname", "birth_country"]
    for c in columns:
        hh[c] = "x"
    with pytest.raises(InputError) as exc:
        schemas.validate_households(hh, FILE)
    assert sorted(v.column for v in exc.value.violations) == sorted(columns)


def test_all_violations_reported_at_once(hh):
    hh.loc[0, "coa_location_gm"] = "GM9999"
    hh.loc[1, "has_bsn"] = "maybe"
    hh.loc[2, "child_ages"] = "18"
    vs = violations_of(hh)
    assert sorted(where(vs), key=lambda t: t[1]) == [
        (FILE, 2, "coa_location_gm", "GM9999"),
        (FILE, 3, "has_bsn", "maybe"),
        (FILE, 4, "child_ages", "18"),
    ]


def test_all_violations_reported_across_kinds(hh):
    hh.loc[0, "persons"] = "3"  # mismatch
    hh.loc[1, "household_id"] = hh.loc[2, "household_id"]  # duplicate (2 rows)
    hh.loc[3, "referent_id"] = "GHOST"  # missing referent
    hh.loc[4, "permit_date"] = "2025-00-10"
    vs = violations_of(hh)
    assert len(vs) == 5
    assert {(v.row, v.column) for v in vs} == {(2, "persons"), (3, "household_id"), (4, "household_id"),
                                              (5, "referent_id"), (6, "permit_date")}


# --------------------------------------------------------------------------------------------
# Gemeente state
# --------------------------------------------------------------------------------------------

@pytest.fixture
def state() -> pd.DataFrame:
    df = pd.DataFrame({"gm_code": CODES, "target": "2"})
    for k, c in enumerate(DWELLING_COLUMNS):
        df[c] = str(k)
    df["housing_pressure"] = ""
    return df


def state_violations(df: pd.DataFrame) -> list[Violation]:
    with pytest.raises(InputError) as exc:
        schemas.validate_state(df, "state.csv")
    return exc.value.violations


def test_valid_state(state):
    state.loc[0, "housing_pressure"] = "0"
    state.loc[1, "housing_pressure"] = "1"
    state.loc[2, "target"] = "2,5"  # decimal comma
    out = schemas.validate_state(state.iloc[::-1].reset_index(drop=True), "state.csv")
    assert list(out.index) == CODES
    assert out.loc[CODES[0], "housing_pressure"] == 0.0
    assert out.loc[CODES[1], "housing_pressure"] == 1.0
    assert out.loc[CODES[2], "target"] == 2.5
    assert ((out["housing_pressure"] >= 0) & (out["housing_pressure"] <= 1)).all()  # empty -> embedded index
    assert out["dwellings_c3"].dtype == "int64"


def test_state_missing_gemeenten(state):
    vs = state_violations(state[~state["gm_code"].isin([CODES[5], CODES[9]])])
    assert len(vs) == 1
    assert vs[0].column == "gm_code" and vs[0].row is None
    assert CODES[5] in vs[0].rule and CODES[9] in vs[0].rule and "every gemeente" in vs[0].rule


def test_state_duplicate_gm_code(state):
    state.loc[3, "gm_code"] = CODES[1]
    vs = state_violations(state)
    dups = [v for v in vs if "unique" in v.rule]
    assert where(dups) == [("state.csv", 3, "gm_code", CODES[1]), ("state.csv", 5, "gm_code", CODES[1])]
    missing = [v for v in vs if "every gemeente" in v.rule]
    assert len(missing) == 1 and CODES[3] in missing[0].rule


def test_state_unknown_gm_code(state):
    state.loc[0, "gm_code"] = "GM0000"
    vs = state_violations(state)
    assert ("state.csv", 2, "gm_code", "GM0000") in where(vs)


def test_state_negative_dwellings(state):
    for k, column in enumerate(DWELLING_COLUMNS):
        state.loc[k + 4, column] = "-1"
    vs = state_violations(state)
    assert sorted(where(vs), key=lambda t: t[1]) == [("state.csv", k + 6, column, "-1")
                                                     for k, column in enumerate(DWELLING_COLUMNS)]
    assert all(">= 0" in v.rule for v in vs)


def test_state_pressure_out_of_range(state):
    state.loc[0, "housing_pressure"] = "1.5"
    state.loc[1, "housing_pressure"] = "-0.1"
    vs = state_violations(state)
    assert where(vs) == [("state.csv", 2, "housing_pressure", "1.5"), ("state.csv", 3, "housing_pressure", "-0.1")]
    assert all("between 0 and 1" in v.rule for v in vs)


def test_state_bad_target(state):
    cases = [("abc", "number"), ("-3", "between 0 and"), ("", "empty"), ("inf", "number"), ("1e30", "between 0 and")]
    for k, (value, _) in enumerate(cases):
        state.loc[k + 7, "target"] = value
    vs = state_violations(state)
    assert where(vs) == [("state.csv", k + 9, "target", value) for k, (value, _) in enumerate(cases)]
    for v, (_, rule) in zip(vs, cases):
        assert rule in v.rule


def test_state_missing_column(state):
    vs = state_violations(state.drop(columns=["dwellings_c4"]))
    assert where(vs) == [("state.csv", None, "dwellings_c4", None)]


# --------------------------------------------------------------------------------------------
# Realised, swaps, linked, locks, previous
# --------------------------------------------------------------------------------------------

def frame(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([list(map(str, r)) for r in rows], columns=columns)


def errors(fn, *args) -> list[Violation]:
    with pytest.raises(InputError) as exc:
        fn(*args)
    return exc.value.violations


def test_realised_bad_cells():
    df = frame(["gm_code", "period", "housed"], [("GM0014", "2025-3", 1), ("GM0034", "2025-H1", -2),
                                                 ("GM9999", "2025-H1", "x"), ("GM0037", "2025-H1", 4)])
    vs = errors(schemas.load_realised, df, "realised.csv")
    assert sorted(where(vs), key=lambda t: (t[1], t[2])) == [
        ("realised.csv", 2, "period", "2025-3"),
        ("realised.csv", 3, "housed", "-2"),
        ("realised.csv", 4, "gm_code", "GM9999"),
        ("realised.csv", 4, "housed", "x"),
    ]
    assert "YYYY-H1 or YYYY-H2" in next(v.rule for v in vs if v.value == "2025-3")
    assert ">= 0" in next(v.rule for v in vs if v.value == "-2")


def test_realised_two_bad_periods_are_not_reported_as_duplicates():
    df = frame(["gm_code", "period", "housed"], [("GM0014", "2025-3", 1), ("GM0037", "", 4)])
    vs = errors(schemas.load_realised, df, "realised.csv")
    assert sorted(where(vs), key=lambda t: t[1]) == [("realised.csv", 2, "period", "2025-3"),
                                                     ("realised.csv", 3, "period", "")]


def test_realised_duplicates():
    df = frame(["gm_code", "period", "housed"], [("GM0014", "2025-H1", 1), ("GM0034", "2025-H1", 1),
                                                 ("GM0014", "2025-H1", 2), ("GM0014", "2024-H2", 2)])
    vs = errors(schemas.load_realised, df, "realised.csv")
    assert [(v.row, v.column) for v in vs] == [(2, "gm_code+period"), (4, "gm_code+period")]


def test_realised_valid_is_typed():
    out = schemas.load_realised(frame(["gm_code", "period", "housed", "target"],
                                      [("GM0014", "2025-H1", 3, ""), ("GM0034", "2024-H2", 0, 7)]), "realised.csv")
    assert str(out["period"].iloc[0]) == "2025-H1"
    assert int(out["housed"].iloc[0]) == 3
    assert pd.isna(out["target"].iloc[0]) and int(out["target"].iloc[1]) == 7


def test_swaps_bad_cells():
    df = frame(["swap_id", "gm_code", "delta"], [("a", "GM0014", "1.5"), ("a", "GMXXXX", "-1"), ("", "GM0034", "1")])
    vs = errors(schemas.load_swaps, df, "swaps.csv")
    assert sorted(where(vs), key=lambda t: t[1]) == [("swaps.csv", 2, "delta", "1.5"),
                                                     ("swaps.csv", 3, "gm_code", "GMXXXX"),
                                                     ("swaps.csv", 4, "swap_id", "")]


def test_swaps_duplicate_gemeente_in_one_swap():
    df = frame(["swap_id", "gm_code", "delta"], [("a", "GM0014", 2), ("a", "GM0014", -1), ("a", "GM0034", -1)])
    vs = errors(schemas.load_swaps, df, "swaps.csv")
    assert [(v.row, v.column) for v in vs] == [(2, "swap_id+gm_code"), (3, "swap_id+gm_code")]


def test_swaps_each_bad_swap_reported():
    df = frame(["swap_id", "gm_code", "delta"], [("a", "GM0014", 2), ("a", "GM0034", -1),
                                                 ("b", "GM0014", 1), ("c", "GM0037", -4), ("c", "GM0047", 4)])
    vs = errors(schemas.load_swaps, df, "swaps.csv")
    assert [(v.column, v.value) for v in vs] == [("swap_id", "a"), ("swap_id", "b")]


def test_linked_bad_cells_and_duplicates():
    vs = errors(schemas.load_linked, frame(["gm_code", "linked"], [("GM0014", 1), ("GM0000", -1)]), "linked.csv")
    assert sorted(where(vs), key=lambda t: t[2]) == [("linked.csv", 3, "gm_code", "GM0000"),
                                                     ("linked.csv", 3, "linked", "-1")]
    vs = errors(schemas.load_linked, frame(["gm_code", "linked"], [("GM0014", 1), ("GM0014", 2)]), "linked.csv")
    assert [(v.row, v.column, v.value) for v in vs] == [(2, "gm_code", "GM0014"), (3, "gm_code", "GM0014")]


def test_linked_valid():
    out = schemas.load_linked(frame(["gm_code", "linked"], [("GM0014", 5), ("gm0034", 0)]), "linked.csv")
    assert out.to_dict() == {"GM0014": 5, "GM0034": 0}


@pytest.fixture
def households_index(hh) -> pd.DataFrame:
    return schemas.validate_households(hh, FILE)


def test_locks_bad_action(households_index):
    hid = households_index.index[0]
    df = frame(["household_id", "gm_code", "action"], [(hid, "GM0014", "fix"), (hid, "GM0034", "block")])
    vs = errors(schemas.load_locks, df, households_index, "locks.csv")
    assert where(vs) == [("locks.csv", 3, "action", "block")]
    assert "fix, forbid" in vs[0].rule


def test_locks_unknown_household_and_two_fixes(households_index):
    a, b = households_index.index[:2]
    df = frame(["household_id", "gm_code", "action"], [(a, "GM0014", "fix"), (b, "GM0014", "forbid"),
                                                       (a, "GM0034", "fix"), ("H999999", "GM0014", "fix")])
    vs = errors(schemas.load_locks, df, households_index, "locks.csv")
    got = sorted(where(vs), key=lambda t: t[1])
    assert got == [("locks.csv", 2, "household_id", a), ("locks.csv", 4, "household_id", a),
                   ("locks.csv", 5, "household_id", "H999999")]
    assert any("unknown household_id" in v.rule for v in vs)
    assert sum("fixed to one gemeente only" in v.rule for v in vs) == 2


def test_locks_valid_fix_and_forbids(households_index):
    a = households_index.index[0]
    df = frame(["household_id", "gm_code", "action"], [(a, "GM0014", "fix"), (a, "GM0034", "forbid"),
                                                       (a, "GM0037", "forbid")])
    out = schemas.load_locks(df, households_index, "locks.csv")
    assert list(out["action"]) == ["fix", "forbid", "forbid"]


def test_locks_unknown_gemeente(households_index):
    a = households_index.index[0]
    vs = errors(schemas.load_locks, frame(["household_id", "gm_code", "action"], [(a, "GM9998", "forbid")]),
                households_index, "locks.csv")
    assert where(vs) == [("locks.csv", 2, "gm_code", "GM9998")]


def test_previous_proposal():
    out = schemas.load_previous(frame(["household_id", "gm_code"], [("H1", ""), ("H2", "GM0014")]), "prev.csv")
    assert out.to_dict() == {"H1": "", "H2": "GM0014"}
    vs = errors(schemas.load_previous, frame(["household_id", "gm_code"], [("H1", "GM0014"), ("H1", ""),
                                                                            ("H2", "GM0000")]), "prev.csv")
    assert where(vs) == [("prev.csv", 4, "gm_code", "GM0000")]
    vs = errors(schemas.load_previous, frame(["household_id", "gm_code"], [("H1", "GM0014"), ("H1", "")]), "prev.csv")
    assert [(v.row, v.column, v.value) for v in vs] == [(2, "household_id", "H1"), (3, "household_id", "H1")]


def test_violation_text_names_file_row_column_value_and_rule(hh):
    hh.loc[0, "coa_location_gm"] = "GM9999"
    with pytest.raises(InputError) as exc:
        schemas.validate_households(hh, FILE)
    text = str(exc.value)
    assert text.startswith("households.csv, row 2, column 'coa_location_gm': value 'GM9999': ")
    assert "gemeente code" in text


# --------------------------------------------------------------------------------------------
# Forbidden columns: one matcher for every file, whatever the spelling
# --------------------------------------------------------------------------------------------

def test_households_file_rejects_gender_origin_nationality_columns(hh, tmp_path):
    columns = ["M/V", "Geslacht", "land van herkomst", "Nationaliteit"]
    path = tmp_path / "hh.csv"
    hh.assign(**{c: "x" for c in columns}).to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        schemas.load_households(path)
    assert where(exc.value.violations) == [(str(path), None, c, None) for c in columns]
    assert all("not allowed" in v.rule for v in exc.value.violations)


def test_place_name_columns_accepted_in_household_level_files(hh):
    out = schemas.validate_households(hh.assign(gm_naam="Groningen", provincie="Groningen"), FILE)
    assert len(out) == len(hh)


def test_previous_proposal_file_with_its_own_columns_accepted(tmp_path):
    """A proposal.csv of an earlier run (gm_naam, provincie, reason, ...) is a valid --previous."""
    path = tmp_path / "proposal.csv"
    pd.DataFrame({"household_id": ["H1", "H2"], "status": ["linked", "unplaced"], "gm_code": ["GM0014", ""],
                  "gm_naam": ["Groningen", ""], "provincie": ["Groningen", ""], "reason": ["x", "y"]}).to_csv(path, index=False)
    assert schemas.load_previous(path).to_dict() == {"H1": "GM0014", "H2": ""}
    with pytest.raises(InputError, match="not allowed"):
        schemas.load_previous(pd.read_csv(path, dtype=str, keep_default_na=False).assign(achternaam="x"), "prev.csv")


def test_protected_column_rejected_in_gemeente_level_files(state):
    vs = state_violations(state.assign(Etniciteit="x"))
    assert where(vs) == [("state.csv", None, "Etniciteit", None)] and "not allowed" in vs[0].rule
    assert len(schemas.validate_state(state.assign(gm_naam="x", naam="x"), "state.csv")) == len(CODES)


# --------------------------------------------------------------------------------------------
# Typed frames are validated as they are
# --------------------------------------------------------------------------------------------

def test_typed_state_frame_equals_its_text_version():
    from optimizer.rules.state import build_state

    typed = build_state("2025-H2", pd.Timestamp("2025-08-04").date())
    assert typed["target"].dtype == float and typed["dwellings_c1"].dtype == "int64"
    out = schemas.load_state(typed)
    pd.testing.assert_frame_equal(out, schemas.load_state(typed.astype(str)))
    bad = typed.copy()
    bad.loc[3, "dwellings_c2"] = -4
    with pytest.raises(InputError) as exc:
        schemas.load_state(bad, "state")
    assert where(exc.value.violations) == [("state", 5, "dwellings_c2", "-4")]


def test_typed_households_frame_equals_its_text_version(_generated):
    typed = generate_households(10, 7)
    assert typed["persons"].dtype == "int64"
    pd.testing.assert_frame_equal(schemas.load_households(typed), schemas.load_households(typed.astype(str)))
    again = schemas.load_households(schemas.load_households(typed))  # a validated frame validates again
    pd.testing.assert_frame_equal(again, schemas.load_households(typed))


# --------------------------------------------------------------------------------------------
# Household checks: one failing and one passing case each
# --------------------------------------------------------------------------------------------

def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """The typed frame the checks run on."""
    out, _ = parse(df, schemas.HOUSEHOLD_COLUMNS, FILE)
    return out


def test_check_composition(hh):
    assert schemas.check_composition(_typed(hh), FILE) == []
    hh.loc[1, "persons"] = "5"
    vs = schemas.check_composition(_typed(hh), FILE)
    assert where(vs) == [(FILE, 3, "persons", "5")] and "2 + 2" in vs[0].rule


def test_check_lists(hh):
    assert schemas.check_lists(_typed(hh), FILE) == []
    hh.loc[1, "education"] = "basic"  # 2 adults
    hh.loc[2, "sector"] = "mining"
    vs = schemas.check_lists(_typed(hh), FILE)
    assert where(vs) == [(FILE, 3, "education", "basic"), (FILE, 4, "sector", "mining")]
    assert "expected 2" in vs[0].rule and "agriculture" in vs[1].rule


def test_check_size_class(hh):
    hh.loc[1, "size_class"] = "3"
    assert schemas.check_size_class(_typed(hh), FILE) == []
    hh.loc[1, "size_class"] = "1"
    vs = schemas.check_size_class(_typed(hh), FILE)
    assert where(vs) == [(FILE, 3, "size_class", "1")] and "at least 3" in vs[0].rule


def test_check_referents(hh):
    hh.loc[0, "referent_id"] = hh.loc[1, "household_id"]
    assert schemas.check_referents(_typed(hh), FILE) == []
    hh.loc[2, "referent_id"] = "NOPE"
    hh.loc[3, "referent_id"] = hh.loc[3, "household_id"]
    hh.loc[4, "referent_id"] = hh.loc[0, "household_id"]  # 0 is itself a nareiziger
    vs = sorted(schemas.check_referents(_typed(hh), FILE), key=lambda v: v.row)
    assert [(v.row, v.column) for v in vs] == [(4, "referent_id"), (5, "referent_id"), (6, "referent_id")]
    assert ["referent missing" in vs[0].rule, "own referent" in vs[1].rule, "chains" in vs[2].rule] == [True] * 3


# --------------------------------------------------------------------------------------------
# Swaps and locks checks
# --------------------------------------------------------------------------------------------

def test_check_swaps_balanced():
    swaps = pd.DataFrame({"swap_id": ["a", "a", "b"], "gm_code": ["GM0014", "GM0034", "GM0014"], "delta": [2, -2, 1]})
    vs = schemas.check_swaps_balanced(swaps, "swaps.csv")
    assert [(v.column, v.value) for v in vs] == [("swap_id", "b")] and "sum to 1" in vs[0].rule
    assert schemas.check_swaps_balanced(swaps.iloc[:2], "swaps.csv") == []


def test_check_one_fix():
    locks = pd.DataFrame({"household_id": ["H1", "H1", "H2", "H2"], "gm_code": ["GM0014", "GM0034", "GM0014", "GM0034"],
                          "action": ["fix", "forbid", "fix", "fix"]})
    assert where(schemas.check_one_fix(locks, "locks.csv")) == [("locks.csv", 4, "household_id", "H2"),
                                                                ("locks.csv", 5, "household_id", "H2")]
    assert schemas.check_one_fix(locks.iloc[:3], "locks.csv") == []


def test_check_locks_respect_households(households_index):
    a = households_index.index[0]
    locks = pd.DataFrame({"household_id": [a], "gm_code": ["GM0014"], "action": ["fix"]})
    assert schemas.check_locks_respect_households(locks, "locks.csv", households_index) == []
    linked = households_index.copy()
    linked.loc[a, "linked_gm"] = "GM0034"
    vs = schemas.check_locks_respect_households(locks, "locks.csv", linked)
    assert where(vs) == [("locks.csv", 2, "household_id", a)] and "already linked" in vs[0].rule


# --------------------------------------------------------------------------------------------
# Scores and provincial totals
# --------------------------------------------------------------------------------------------

def test_load_scores(households_index, tmp_path):
    amrs = sorted(set(dataset.load_gemeenten()["amr_code"]))
    rows = [(h, a, 0.5) for h in households_index.index for a in amrs]
    path = tmp_path / "scores.csv"
    pd.DataFrame(rows, columns=["household_id", "amr_code", "score"]).to_csv(path, index=False)
    wide = load_scores(path, households_index)
    assert wide.shape == (len(households_index), len(amrs)) and (wide == 0.5).all().all()
    bad = pd.DataFrame(rows[:2] + [rows[0], ("GHOST", amrs[0], "0.1")], columns=["household_id", "amr_code", "score"])
    with pytest.raises(InputError) as exc:
        load_scores(bad.astype(str), households_index)
    assert sorted((v.row, v.column) for v in exc.value.violations) == [
        (2, "household_id+amr_code"), (4, "household_id+amr_code"), (5, "household_id")]


@pytest.fixture(scope="module")
def provinces() -> pd.Series:
    gem = dataset.load_gemeenten()
    return gem.groupby("provincie_code")["provincie"].first().sort_index()


def test_provincial_totals_by_code_or_name(provinces):
    by_code = pd.DataFrame({"provincie_code": provinces.index[::-1], "plaatsen": range(12)})
    out = schemas.load_provincial_totals(by_code, "plaatsen", provinces)
    assert list(out.index) == list(provinces.index) and out.name == "province_total"
    assert out[provinces.index[-1]] == 0 and out[provinces.index[0]] == 11
    by_name = pd.DataFrame({"provincie": provinces.to_numpy(), "plaatsen": [str(k) for k in range(12)]})
    assert schemas.load_provincial_totals(by_name, "plaatsen", provinces).tolist() == list(range(12))


def test_provincial_totals_violations(provinces):
    df = pd.DataFrame({"provincie_code": ["PV20", "PV20", "PV99", "PV21"], "places": ["1", "2", "3", "1.5"]})
    with pytest.raises(InputError) as exc:
        schemas.load_provincial_totals(df, "places", provinces, "prov.csv")
    vs = exc.value.violations
    got = sorted(((v.row or 0), v.column, v.value) for v in vs)
    assert got == [(0, "provincie_code", None), (2, "provincie_code", "PV20"), (3, "provincie_code", "PV20"),
                   (4, "provincie_code", "PV99"), (5, "places", "1.5")]
    assert any("unknown province" in v.rule for v in vs) and any("province missing" in v.rule for v in vs)
    with pytest.raises(InputError, match="needs a column provincie_code"):
        schemas.load_provincial_totals(df.rename(columns={"provincie_code": "code"}), "places", provinces)
    with pytest.raises(InputError, match=r"set provinces\.column"):
        schemas.load_provincial_totals(df, "plaatsen", provinces)
