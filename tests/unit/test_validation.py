"""Tests of optimizer.data.validation: the one mechanism behind every input table.

Column specs and the typed parse (files and frames, text and typed cells), the forbidden column
words with their matcher, and the generic cross-row checks (each: one failing, one passing case).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from optimizer.core.errors import InputError
from optimizer.data import dataset, schemas
from optimizer.data.validation import (
    FORBIDDEN_COLUMN_WORDS,
    Col,
    check_column_names,
    check_complete,
    check_known,
    check_unique,
    flag,
    forbidden_column,
    normalise_column,
    parse,
    read_input,
    validate,
)
from optimizer.koppeling.scoring import SCORE_COLUMNS

SPEC = (
    Col("code", "str", pattern=r"X\d"),
    Col("n", "int", min=0),
    Col("x", "float", nullable=True, max=1),
    Col("flag", "bool"),
    Col("day", "date"),
)


def where(vs) -> list[tuple]:
    return [(v.file, v.row, v.column, v.value) for v in vs]


# --------------------------------------------------------------------------------------------
# Forbidden column words
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("M/V", "m_v"), ("Land van herkomst", "land_van_herkomst"), ("Géslacht", "geslacht"),
    ("birth.country", "birth_country"), ("  Paspoort-nr. ", "paspoort_nr"), ("gm_naam", "gm_naam"),
])
def test_normalise_column(name, expected):
    assert normalise_column(name) == expected


REJECTED_EVERYWHERE = [
    "M/V", "m.v.", "Geslacht", "Géslacht", "sekse", "Sex", "gender_identity", "Nationaliteit", "nationality",
    "Land van herkomst", "herkomstland", "Afkomst", "country_of_origin", "origin", "geboorteland",
    "Geboorteplaats", "Country of birth", "birth_country", "religie", "Religion", "geloof", "Godsdienst",
    "etniciteit", "Ethnicity", "migratieachtergrond", "migratie-achtergrond", "Migration background",
    "niet_westers", "Non-Western", "niet_westerse_achtergrond_pct", "race", "paspoort", "Passport number",
    "citizenship", "burgerschap",
]
REJECTED_IN_HOUSEHOLD_FILES = [
    "naam", "name", "Voornaam", "achternaam", "Surname", "lastName", "first_name", "family_name",
    "tussenvoegsel", "initials", "Voorletters", "geboortedatum", "date_of_birth", "country", "land",
]
PLACE_NAMES = ["gm_naam", "GM naam", "gemeentenaam", "amr_naam", "corop_naam", "provincie", "provincie_code",
               "municipality_name", "coa_location_gm"]


@pytest.mark.parametrize("column", REJECTED_EVERYWHERE)
def test_protected_words_rejected_in_every_file(column):
    assert forbidden_column(column, household=False) is not None
    assert forbidden_column(column, household=True) is not None


@pytest.mark.parametrize("column", REJECTED_IN_HOUSEHOLD_FILES)
def test_personal_words_rejected_in_household_files_only(column):
    assert forbidden_column(column, household=True) is not None
    assert forbidden_column(column, household=False) is None


@pytest.mark.parametrize("column", PLACE_NAMES)
def test_place_names_are_not_personal_names(column):
    assert forbidden_column(column, household=True) is None


def test_no_spec_or_dataset_column_is_forbidden():
    """No false positive on any column spreiding itself reads or writes."""
    household_level = [schemas.HOUSEHOLD_COLUMNS, schemas.LOCK_COLUMNS, schemas.PREVIOUS_COLUMNS, SCORE_COLUMNS]
    for spec in household_level:
        assert [c.name for c in spec if forbidden_column(c.name, household=True)] == []
    other = [schemas.STATE_COLUMNS, schemas.REALISED_COLUMNS, schemas.SWAP_COLUMNS, schemas.LINKED_COLUMNS,
             dataset.GEMEENTEN_SPEC, dataset.HOUSING_SPEC, dataset.POPULATION_SPEC, dataset.RECEPTION_SPEC,
             dataset.SPREIDINGSWET_SPEC, dataset.TAAKSTELLING_SPEC]
    for spec in other:
        assert [c.name for c in spec if forbidden_column(c.name, household=False)] == []


def test_one_list_with_a_meaning_per_entry():
    meanings = [w.meaning for w in FORBIDDEN_COLUMN_WORDS]
    assert len(meanings) == len(set(meanings))
    for required in ("gender", "nationality", "religion", "origin"):
        assert required in meanings


def test_check_column_names():
    vs = check_column_names(["gm_code", "Nationaliteit", "naam"], "f.csv", household=False)
    assert where(vs) == [("f.csv", None, "Nationaliteit", None)]
    assert "not allowed" in vs[0].rule and "nationality" in vs[0].rule
    assert check_column_names(["gm_code", "gm_naam", "naam"], "f.csv", household=False) == []
    assert where(check_column_names(["naam"], "f.csv", household=True)) == [("f.csv", None, "naam", None)]
    assert check_column_names(["naam"], "f.csv", household=True, allowed={"naam"}) == []


# --------------------------------------------------------------------------------------------
# Parse: text and typed frames
# --------------------------------------------------------------------------------------------

def text_frame() -> pd.DataFrame:
    return pd.DataFrame({"code": ["X1", "X2", "Y3"], "n": ["1", "2,0", "-1"], "x": ["0,5", "", "2"],
                         "flag": ["ja", "false", "maybe"], "day": ["2025-01-02", "2025-02-30", "2025-03-04"]})


def test_parse_text_reports_every_bad_cell_and_types_the_rest():
    out, vs = parse(text_frame(), SPEC, "t.csv")
    assert sorted(where(vs), key=lambda t: (t[1], t[2])) == [
        ("t.csv", 3, "day", "2025-02-30"),
        ("t.csv", 4, "code", "Y3"), ("t.csv", 4, "flag", "maybe"), ("t.csv", 4, "n", "-1"), ("t.csv", 4, "x", "2"),
    ]
    assert out["n"].tolist()[:2] == [1, 2] and out["x"].iloc[0] == 0.5 and pd.isna(out["x"].iloc[1])
    assert out["flag"].tolist()[:2] == [True, False]
    assert out["day"].iloc[0] == dt.date(2025, 1, 2)


def test_parse_typed_frame_without_text_round_trip():
    typed = pd.DataFrame({"code": ["X1", "X2"], "n": [3, 4], "x": [0.25, float("nan")], "flag": [True, False],
                          "day": pd.to_datetime(["2025-01-02", "2025-05-06"])})
    out, vs = parse(typed, SPEC, "frame")
    assert vs == []
    assert out["n"].tolist() == [3, 4] and out["x"].iloc[0] == 0.25 and pd.isna(out["x"].iloc[1])
    assert out["flag"].tolist() == [True, False] and out["day"].tolist() == [dt.date(2025, 1, 2), dt.date(2025, 5, 6)]
    # typed values are checked as they are, and shown as text
    bad = typed.assign(n=[1.5, -2.0], x=[3.0, 0.0])
    _, vs = parse(bad, SPEC, "frame")
    assert sorted(where(vs)) == [("frame", 2, "n", "1.5"), ("frame", 2, "x", "3.0"), ("frame", 3, "n", "-2.0")]


def test_parse_missing_column_names_the_columns_found():
    _, vs = parse(text_frame().drop(columns="n"), SPEC, "t.csv")
    missing = [v for v in vs if v.row is None]
    assert where(missing) == [("t.csv", None, "n", None)]
    assert "required column is missing" in missing[0].rule and "code, x, flag, day" in missing[0].rule


def test_read_input_path_or_frame(tmp_path):
    path = tmp_path / "t.csv"
    text_frame().to_csv(path, sep=";", index=False)
    df, name = read_input(path)
    assert name == str(path) and df.equals(text_frame())
    df, name = read_input(text_frame().set_index("code"), "mine.csv")
    assert name == "mine.csv" and list(df.index) == [0, 1, 2]


def test_validate_runs_checks_only_when_the_columns_are_right():
    calls = []

    def check(frame, file):
        calls.append(file)
        return []
    with pytest.raises(InputError):
        validate(text_frame().drop(columns="n"), SPEC, "t.csv", checks=(check,))
    assert calls == []
    with pytest.raises(InputError):
        validate(text_frame(), SPEC, "t.csv", checks=(check,))  # bad cells: checks still run
    assert calls == ["t.csv"]


# --------------------------------------------------------------------------------------------
# Generic checks
# --------------------------------------------------------------------------------------------

def test_flag_numbers_rows_from_the_index():
    frame = pd.DataFrame({"a": [1, 2, 3]}, index=[4, 7, 9])
    vs = flag(frame["a"] > 1, "f", "too big", "a", frame["a"])
    assert where(vs) == [("f", 9, "a", "2"), ("f", 11, "a", "3")]
    assert flag(frame["a"] > 5, "f", "too big", "a", frame["a"]) == []


def test_check_unique():
    frame = pd.DataFrame({"k": ["a", "b", "a", ""], "m": ["x", "x", "y", "y"]})
    assert where(check_unique(frame, "f", "k")) == [("f", 2, "k", "a"), ("f", 4, "k", "a")]
    assert check_unique(frame, "f", ("k", "m")) == []
    frame.loc[2, "m"] = "x"
    vs = check_unique(frame, "f", ("k", "m"))
    assert where(vs) == [("f", 2, "k+m", "a|x"), ("f", 4, "k+m", "a|x")] and "unique" in vs[0].rule


def test_check_complete():
    frame = pd.DataFrame({"k": ["a", "c"]})
    vs = check_complete(frame, "f", "k", ["a", "b", "c", "d"], "letter")
    assert where(vs) == [("f", None, "k", None)]
    assert "letter missing" in vs[0].rule and "b, d" in vs[0].rule
    assert check_complete(frame, "f", "k", ["a", "c"], "letter") == []


def test_check_known():
    frame = pd.DataFrame({"k": ["a", "z", ""]})
    assert where(check_known(frame, "f", "k", {"a"}, "unknown")) == [("f", 3, "k", "z")]
    assert check_known(frame, "f", "k", {"a", "z"}, "unknown") == []
