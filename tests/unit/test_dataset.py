"""Tests of the embedded dataset (data/), its loader (optimizer.data.dataset) and its build script.

Expected values are published facts (CBS population 1-1-2024, province counts, DOMAIN.md
figures) or are recomputed from the documented model constants; no other literals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import re
import sys
from dataclasses import replace as replace_field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.core.errors import InputError
from optimizer.core.paths import REPO_ROOT, data_dir, raw_dir
from optimizer.core.runrecord import sha256_file
from optimizer.data import dataset as ds
from optimizer.rules.dwellings import DWELLING_COLUMNS

RAW = raw_dir()
HAS_RAW = (RAW / "gemeenten_2025_master.csv").exists()
needs_raw = pytest.mark.skipif(not HAS_RAW, reason=f"raw folder {RAW} not present")

# Published facts --------------------------------------------------------------------------
CBS_POPULATION_2024 = 17_942_942  # CBS 70072NED, Netherlands 1-1-2024
PROVINCE_COUNTS = {  # CBS, 2024/2025 division
    "Groningen": 10, "Friesland": 18, "Drenthe": 12, "Overijssel": 25, "Flevoland": 6,
    "Gelderland": 51, "Utrecht": 26, "Noord-Holland": 44, "Zuid-Holland": 50, "Zeeland": 13,
    "Noord-Brabant": 56, "Limburg": 31,
}
COA_REGIONS = {  # DOMAIN.md: COA's five regions
    "GR-FR-DR": {"Groningen", "Friesland", "Drenthe"},
    "OV-GE": {"Overijssel", "Gelderland"},
    "FL-UT-NH": {"Flevoland", "Utrecht", "Noord-Holland"},
    "ZH-ZE": {"Zuid-Holland", "Zeeland"},
    "NB-LI": {"Noord-Brabant", "Limburg"},
}
DOMAIN_TAAKSTELLING = {  # DOMAIN.md national totals
    "2021-H1": 13_500, "2021-H2": 11_000, "2022-H1": 10_000, "2022-H2": 13_500, "2023-H1": 21_200,
    "2023-H2": 17_600, "2024-H1": 18_750, "2024-H2": 17_000, "2025-H1": 15_000, "2025-H2": 13_000,
    "2026-H1": 15_000,
}
GEMEENTEN_HEADER = (  # the column contract of data/gemeenten.csv
    "gm_code, gm_naam, provincie_code, provincie, coa_region, amr_code, amr_naam, corop_code, "
    "corop_naam, population_2024, lon, lat, land_area_km2, water_area_km2, avg_household_size, "
    "households_est_2021, single_person_households_pct, owner_occupied_pct, rental_pct, "
    "corporation_rental_pct, single_family_pct, multi_family_pct, vacancy_pct, avg_woz_keur, "
    "labour_participation_pct, ww_per_100_inhabitants, bijstand_per_1000_inhabitants, "
    "ao_per_1000_inhabitants, low_income_households_pct, income_per_inhabitant_keur, "
    "education_high_pct, education_low_pct, urbanity_1_5, address_density_km2, businesses_per_1000, "
    "sector_agriculture_pct, sector_industry_energy_pct, sector_trade_hospitality_pct, "
    "sector_transport_ict_pct, sector_finance_real_estate_pct, sector_business_services_pct, "
    "sector_public_education_health_pct, sector_culture_recreation_other_pct"
).split(", ")
REF_2024 = dt.date(2024, 1, 1)
REF_2025 = dt.date(2025, 1, 1)
CBS_POPULATION_2025 = 18_044_027  # CBS 03759NED, Netherlands 1-1-2025
RAW_2025 = RAW / "cbs_bevolking_1jan2025_gemeenten.csv"


@pytest.fixture(scope="module")
def build_module():
    """scripts/build_dataset.py imported as a module (it is not a package)."""
    path = REPO_ROOT / "scripts" / "build_dataset.py"
    spec = importlib.util.spec_from_file_location("build_dataset_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def gem() -> pd.DataFrame:
    return ds.load_gemeenten()


# gemeenten.csv ------------------------------------------------------------------------------

def test_342_unique_sorted_codes(gem):
    codes = ds.gemeente_codes()
    assert len(codes) == 342 == len(set(codes))
    assert codes == sorted(codes) == list(gem.index)
    assert all(re.fullmatch(r"GM\d{4}", c) for c in codes)


def test_gemeenten_header_and_dtypes(gem):
    header = (data_dir() / "gemeenten.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == GEMEENTEN_HEADER
    assert list(gem.columns) == GEMEENTEN_HEADER[1:]
    assert gem["population_2024"].dtype == np.int64
    assert gem["households_est_2021"].dtype == np.int64
    for c in ds.GEMEENTEN_FLOAT_COLUMNS:
        assert gem[c].dtype == np.float64, c
        assert gem[c].notna().all(), c
    assert gem["gm_naam"].map(type).eq(str).all()


def test_population_total_is_cbs_total(gem):
    assert int(gem["population_2024"].sum()) == CBS_POPULATION_2024
    pop = ds.load_population(REF_2024)
    assert pop.dtype == np.int64 and int(pop.sum()) == CBS_POPULATION_2024
    assert list(pop.index) == ds.gemeente_codes()
    assert (pop == gem["population_2024"]).all()
    assert ds.available_population_dates() == [REF_2024, REF_2025]


def test_province_counts(gem):
    assert gem["provincie"].value_counts().to_dict() == PROVINCE_COUNTS
    # province code <-> name is one-to-one
    assert gem.groupby("provincie")["provincie_code"].nunique().eq(1).all()
    assert gem["provincie_code"].nunique() == 12


def test_coa_region_consistent_with_province(gem):
    for region, provinces in COA_REGIONS.items():
        assert set(gem.loc[gem["coa_region"] == region, "provincie"]) == provinces
    assert set(gem["coa_region"]) == set(COA_REGIONS)


def test_no_non_western_column_anywhere_in_data():
    files = sorted(data_dir().glob("*"))
    assert files, "data/ is empty"
    for f in files:
        text = f.read_text(encoding="utf-8").lower()
        header = text.splitlines()[0]
        for word in ("westers", "western", "migrat", "herkomst", "nationalit", "ethnic", "etnic"):
            assert word not in header, (f.name, word)
        assert "niet_westers" not in text and "non_western" not in text, f.name


def test_indicator_ranges(gem):
    pct = [c for c in gem.columns if c.endswith("_pct")]
    assert ((gem[pct] >= 0) & (gem[pct] <= 100)).all().all()
    assert (gem["urbanity_1_5"].between(1, 5)).all()
    assert (gem["avg_household_size"] > 1).all()
    assert gem["lon"].between(3.2, 7.3).all() and gem["lat"].between(50.7, 53.6).all()
    sectors = [c for c in gem.columns if c.startswith("sector_")]
    assert np.allclose(gem[sectors].sum(axis=1), 100, atol=3.5)  # source rounding (Schiermonnikoog 97)
    assert np.allclose(gem["single_family_pct"] + gem["multi_family_pct"], 100, atol=0.05)


def test_only_embedded_files_in_data():
    """The dataset's files and the simplified boundaries for maps; no raw geometry."""
    from optimizer.data.geo import EMBEDDED_BOUNDARIES_FILE

    names = {p.name for p in data_dir().iterdir() if not p.name.startswith(".")}
    assert names == {*ds.DATA_FILES.values(), EMBEDDED_BOUNDARIES_FILE}
    assert not any(n.endswith((".gpkg", ".topojson")) for n in names)


# taakstelling ------------------------------------------------------------------------------

def test_national_taakstelling_matches_domain_figures():
    t = ds.load_national_taakstelling()
    assert t.to_dict() == DOMAIN_TAAKSTELLING
    raw = pd.read_csv(data_dir() / "taakstelling_national.csv", dtype=str)
    assert raw["source"].str.strip().str.len().gt(10).all()


# housing ------------------------------------------------------------------------------------

def test_housing_integers_and_calibration(gem):
    m = ds.HOUSING_MODEL
    h = ds.load_housing()
    assert list(h.index) == ds.gemeente_codes()
    for c in DWELLING_COLUMNS:
        assert h[c].dtype == np.int64 and (h[c] >= 0).all(), c
    # stock recomputed from the documented rule
    households = np.rint(gem["population_2024"] / gem["avg_household_size"])
    assert (h["households_est"] - households).abs().max() <= 1
    stock = np.rint(h["households_est"] * gem["corporation_rental_pct"] / 100)
    assert (h["corporation_stock_est"] - stock).abs().max() <= 1
    # lettings calibrated to the national number of vacated corporation dwellings
    assert h["corporation_lettings_halfyear_est"].sum() == pytest.approx(m.vacated_per_year / 2, abs=0.01 * 342)
    # dwellings offered: national total and per-class totals
    total = int(round(m.vacated_per_year / 2 * m.statushouder_share))
    classes = h[list(DWELLING_COLUMNS)].sum()
    assert int(classes.sum()) == total
    for k, c in enumerate(DWELLING_COLUMNS):
        assert abs(classes[c] - total * m.class_shares[k]) < 1.0, c
    # controlled rounding: each gemeente's total within one dwelling of its unrounded offer
    offered = h["corporation_lettings_halfyear_est"] * m.statushouder_share
    assert (h[list(DWELLING_COLUMNS)].sum(axis=1) - offered).abs().max() < 1.001
    assert (h.loc[offered >= 1, list(DWELLING_COLUMNS)].sum(axis=1) >= 1).all()


def test_housing_tilt_more_multi_family_more_small_dwellings(gem):
    h = ds.load_housing()
    total = h[list(DWELLING_COLUMNS)].sum(axis=1)
    big = total >= 30
    small_share = (h["dwellings_c1"] + h["dwellings_c2"])[big] / total[big]
    rho = gem.loc[big, "multi_family_pct"].rank().corr(small_share.rank())
    assert rho > 0.5


def test_housing_pressure_recomputed(gem):
    h = ds.load_housing()
    assert h["housing_pressure"].between(0, 1).all()
    parts = []
    for col, sign in ds.HOUSING_MODEL.pressure_indicators:
        r = (sign * gem[col]).rank(method="average")
        parts.append((r - 1) / (len(r) - 1))
    expected = sum(parts) / len(parts)
    assert np.allclose(h["housing_pressure"], expected, atol=1e-4)


# reception ------------------------------------------------------------------------------------

def test_reception_50000_and_111_zeros(gem):
    r = ds.load_reception()
    m = ds.RECEPTION_MODEL
    assert r.dtype == np.int64 and (r >= 0).all()
    assert int(r.sum()) == m.existing_places == 50_000
    assert int((r == 0).sum()) == 111
    hosts = r > 0
    assert gem.loc[hosts, "population_2024"].min() >= gem.loc[~hosts, "population_2024"].max()
    quota = m.existing_places * gem["population_2024"].where(hosts, 0) / gem.loc[hosts, "population_2024"].sum()
    assert (r - quota).abs().max() < 1


# user files and errors --------------------------------------------------------------------------

def _population_file(tmp_path: Path, edit=None, name="pop.csv") -> Path:
    df = ds.load_population(REF_2024).rename("population").reset_index()
    if edit is not None:
        df = edit(df)
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def test_user_population_roundtrip_and_date_column(tmp_path):
    path = _population_file(tmp_path)
    assert ds.load_population(dt.date(2025, 1, 1), path).equals(ds.load_population(REF_2024))
    both = pd.concat([
        ds.load_population(REF_2024).reset_index().assign(reference_date="2024-01-01"),
        (ds.load_population(REF_2024) + 1).reset_index().assign(reference_date="2025-01-01"),
    ])
    p2 = tmp_path / "long.csv"
    both.to_csv(p2, index=False)
    assert int(ds.load_population(dt.date(2025, 1, 1), p2).sum()) == CBS_POPULATION_2024 + 342
    with pytest.raises(InputError, match="2023-01-01"):
        ds.load_population(dt.date(2023, 1, 1), p2)


def test_user_population_unknown_code(tmp_path):
    def edit(df):
        df.loc[4, "gm_code"] = "GM9999"
        return df
    path = _population_file(tmp_path, edit)
    with pytest.raises(InputError) as exc:
        ds.load_population(REF_2024, path)
    msg = str(exc.value)
    assert str(path) in msg and "row 6" in msg and "'gm_code'" in msg and "GM9999" in msg
    assert "unknown" in msg


def test_user_population_missing_gemeente(tmp_path):
    dropped = ds.gemeente_codes()[10]
    path = _population_file(tmp_path, lambda df: df[df["gm_code"] != dropped])
    with pytest.raises(InputError) as exc:
        ds.load_population(REF_2024, path)
    msg = str(exc.value)
    assert str(path) in msg and dropped in msg and "'gm_code'" in msg and "missing" in msg


def test_user_population_negative_and_non_integer(tmp_path):
    def edit(df):
        df["population"] = df["population"].astype(object)
        df.loc[0, "population"] = -5
        df.loc[2, "population"] = "12.5"
        return df
    path = _population_file(tmp_path, edit)
    with pytest.raises(InputError) as exc:
        ds.load_population(REF_2024, path)
    msg = str(exc.value)
    assert str(path) in msg
    assert "row 2, column 'population': value '-5'" in msg and ">= 0" in msg
    assert "row 4, column 'population': value '12.5'" in msg
    assert len(exc.value.violations) == 2


def test_user_population_duplicate(tmp_path):
    path = _population_file(tmp_path, lambda df: pd.concat([df, df.iloc[[3]]]))
    with pytest.raises(InputError, match="duplicate"):
        ds.load_population(REF_2024, path)


def test_missing_reference_date_error():
    with pytest.raises(InputError) as exc:
        ds.load_population(dt.date(2023, 1, 1))
    msg = str(exc.value)
    assert "2023-01-01" in msg and "2024-01-01" in msg and "--population" in msg
    assert "population.csv" in msg


def test_user_housing_file(tmp_path):
    h = ds.load_housing().reset_index()[["gm_code", *DWELLING_COLUMNS, "housing_pressure"]]
    ok = tmp_path / "housing.csv"
    h.assign(note="x").to_csv(ok, index=False)
    loaded = ds.load_housing(ok)
    assert (loaded[list(DWELLING_COLUMNS)] == ds.load_housing()[list(DWELLING_COLUMNS)]).all().all()
    assert "note" in loaded.columns and loaded.attrs["source"] == str(ok)

    bad = h.copy()
    bad.loc[1, "housing_pressure"] = 1.5
    bad.loc[2, "dwellings_c3"] = -1
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        ds.load_housing(path)
    msg = str(exc.value)
    assert "row 3, column 'housing_pressure': value '1.5'" in msg
    assert "row 4, column 'dwellings_c3': value '-1'" in msg

    h.drop(columns="dwellings_c5").to_csv(path, index=False)
    with pytest.raises(InputError, match="dwellings_c5"):
        ds.load_housing(path)


def test_user_file_with_ethnicity_column_rejected(tmp_path):
    h = ds.load_housing().reset_index()
    path = tmp_path / "h.csv"
    h.assign(niet_westerse_achtergrond_pct=1.0).to_csv(path, index=False)
    with pytest.raises(InputError, match="not allowed"):
        ds.load_housing(path)


def test_user_reception_file(tmp_path):
    r = ds.load_reception().reset_index()
    path = tmp_path / "r.csv"
    r.to_csv(path, index=False)
    assert ds.load_reception(path).equals(ds.load_reception())
    r.loc[0, "reception_places"] = -3
    r.to_csv(path, index=False)
    with pytest.raises(InputError, match="row 2, column 'reception_places': value '-3'"):
        ds.load_reception(path)


def test_user_housing_file_dutch_excel_dialect(tmp_path):
    """';'-separated with decimal commas, as Dutch Excel writes it (like the state file)."""
    h = ds.load_housing().reset_index()
    path = tmp_path / "housing.csv"
    h.to_csv(path, sep=";", decimal=",", index=False)
    assert "0," in path.read_text(encoding="utf-8").splitlines()[1]
    loaded = ds.load_housing(path)
    pd.testing.assert_frame_equal(loaded, ds.load_housing(), check_exact=False, rtol=0, atol=1e-12)
    assert loaded["dwellings_c1"].dtype == np.int64 and loaded["housing_pressure"].dtype == np.float64


def test_user_housing_frame_typed(tmp_path):
    h = ds.load_housing()
    loaded = ds.load_housing(h.reset_index())
    assert (loaded[list(DWELLING_COLUMNS)] == h[list(DWELLING_COLUMNS)]).all().all()
    assert loaded.attrs["source"] == "input"


def test_place_name_columns_accepted_in_gemeente_files(tmp_path, gem):
    """gm_naam etc. are place names: the embedded gemeenten.csv has them, user files may too."""
    assert {"gm_naam", "amr_naam", "corop_naam", "provincie"} <= set(gem.columns)
    r = ds.load_reception().reset_index()
    path = tmp_path / "r.csv"
    r.assign(gm_naam=gem["gm_naam"].to_numpy(), provincie=gem["provincie"].to_numpy()).to_csv(path, index=False)
    assert ds.load_reception(path).equals(ds.load_reception())


def test_user_population_with_nationality_column_rejected(tmp_path):
    path = _population_file(tmp_path, lambda df: df.assign(Nationaliteit="NL"))
    with pytest.raises(InputError) as exc:
        ds.load_population(REF_2024, path)
    assert [(v.column, v.row) for v in exc.value.violations] == [("Nationaliteit", None)]
    assert "not allowed" in str(exc.value)


def test_check_every_gemeente_once():
    frame = pd.DataFrame({"gm_code": ds.gemeente_codes()})
    assert ds.check_every_gemeente_once(frame, "f.csv") == []
    codes = ds.gemeente_codes()
    frame.loc[1, "gm_code"] = codes[0]
    vs = ds.check_every_gemeente_once(frame, "f.csv")
    assert [(v.row, v.value) for v in vs] == [(2, codes[0]), (3, codes[0]), (None, None)]
    assert "unique" in vs[0].rule and codes[1] in vs[2].rule and "missing" in vs[2].rule


def test_check_coa_region(gem):
    frame = gem.reset_index()
    assert ds.check_coa_region(frame, "g.csv") == []
    frame.loc[0, "coa_region"] = "NB-LI"
    frame.loc[1, "provincie"] = "Holland"
    vs = ds.check_coa_region(frame, "g.csv")
    assert [(v.row, v.column, v.value) for v in vs] == [(3, "provincie", "Holland"), (2, "coa_region", "NB-LI")]
    assert "unknown provincie" in vs[0].rule and "COA's five regions" in vs[1].rule


def test_check_capacity_total():
    sw = pd.DataFrame({"sw_capaciteit_regulier": [3, 5], "sw_capaciteit_nood": [1, 0], "sw_capaciteit_totaal": [4, 6]})
    vs = ds.check_capacity_total(sw, "sw.csv")
    assert [(v.row, v.column, v.value) for v in vs] == [(3, "sw_capaciteit_totaal", "6")] and "(= 5)" in vs[0].rule
    assert ds.check_capacity_total(sw.iloc[:1], "sw.csv") == []


SPREIDINGSWET_RAW = RAW / "spreidingswet_coa_capaciteit_per_gemeente_2025-11.csv"


@pytest.mark.skipif(not SPREIDINGSWET_RAW.exists(), reason="raw Spreidingswet file not present")
def test_load_spreidingswet(tmp_path):
    sw = ds.load_spreidingswet(SPREIDINGSWET_RAW)
    assert list(sw.columns) == ["indicative_places", "capacity_regular", "capacity_emergency", "capacity_total"]
    assert int(sw["indicative_places"].sum()) == 88_000  # DOMAIN.md: cycle 2 = 88,000 places
    assert int(sw["capacity_total"].sum()) == 74_236  # SOURCES.md: meta sum of the source
    assert list(sw.index) == ds.gemeente_codes()
    df = pd.read_csv(SPREIDINGSWET_RAW, dtype=str)
    df.loc[5, "sw_capaciteit_totaal"] = "1"
    path = tmp_path / "sw.csv"
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match="row 7, column 'sw_capaciteit_totaal'"):
        ds.load_spreidingswet(path)


# hashes and caching -----------------------------------------------------------------------

def test_dataset_files_and_hashes():
    files = ds.dataset_files()
    hashes = ds.dataset_hashes()
    assert set(files) == set(hashes) == set(ds.DATA_FILES)
    for name, path in files.items():
        assert hashes[name] == hashlib.sha256(path.read_bytes()).hexdigest() == sha256_file(path)


def test_default_loads_return_copies():
    g = ds.load_gemeenten()
    g.loc[g.index[0], "population_2024"] = -1
    g["extra"] = 1
    again = ds.load_gemeenten()
    assert again["population_2024"].min() > 0 and "extra" not in again.columns
    h = ds.load_housing()
    h["dwellings_c1"] = 0
    assert ds.load_housing()["dwellings_c1"].sum() > 0


# build script -----------------------------------------------------------------------------------

def test_controlled_round_keeps_both_margins(build_module):
    rng = np.random.default_rng(3)
    x = rng.random((40, 5)) * rng.integers(1, 20, size=(40, 1))
    keys = [f"GM{i:04d}" for i in range(40)]
    cols = build_module.largest_remainder(x.sum(axis=0), int(round(x.sum())), [f"c{k}" for k in range(5)])
    n = build_module.controlled_round(x, cols, keys)
    assert (n.sum(axis=0) == cols).all()
    assert (np.abs(n - x) < 1).all()
    assert (np.abs(n.sum(axis=1) - x.sum(axis=1)) < 1).all()
    assert (build_module.controlled_round(x, cols, keys) == n).all()


def test_largest_remainder(build_module):
    lr = build_module.largest_remainder
    out = lr([0.5, 0.5, 1.0, 2.0], 4, ["b", "a", "c", "d"])
    assert out.tolist() == [0, 1, 1, 2]  # tie 0.5/0.5 goes to the smaller key 'a'
    rng = np.random.default_rng(7)
    v = rng.random(50) * 10
    n = lr(v, int(round(v.sum())), [f"k{i:02d}" for i in range(50)])
    assert n.sum() == round(v.sum()) and (np.abs(n - v) < 1).all()


@needs_raw
def test_build_is_deterministic_and_matches_committed_data(build_module, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    log = build_module.build(RAW, a, echo=None)
    build_module.build(RAW, b, echo=None)
    names = sorted(p.name for p in a.iterdir())
    from optimizer.data.geo import EMBEDDED_BOUNDARIES_FILE

    expected = sorted([*ds.DATA_FILES.values(), EMBEDDED_BOUNDARIES_FILE])
    assert names == expected == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
        assert (a / name).read_bytes() == (data_dir() / name).read_bytes(), f"data/{name} is stale: rebuild"
    # every filled cell is reported with its rule
    assert all({"gm_code", "column", "value", "rule"} <= set(f) for f in log.fills)


@needs_raw
def test_kwb_reaggregation_reproduces_raw_file(build_module):
    """The --source cbs re-aggregation rule reproduces raw file 9 from the 2021-division file 8."""
    n = pd.read_csv(RAW / "kwb2021_gemeente_indicatoren_nlstat.csv").set_index("gm_code_2021")
    mapping = {
        "population": "bevolking_2021", "demographics__avg_household_size": "gem_huishoudensgrootte",
        "housing__social_housing_pct": "huurwoningen_corporatie_pct",
        "housing__avg_woz_value_xeur1k": "gem_woz_waarde_x1000eur",
        "humancapital__labour_participation_pct": "nettoarbeidsparticipatie_pct",
        "services__degree_of_urbanisation_1_5": "mate_van_stedelijkheid_1_5",
        "demographics__population_density_per_km2": "omgevingsadressendichtheid_per_km2",
        "economy__business_density_per_1k_pop": "bedrijfsvestigingen_per_1000_inw",
        "economy__agriculture_sector_pct": "vestigingen_landbouw_pct",
        "environment__land_area_km2": "oppervlakte_land_km2",
    }
    k21 = n[list(mapping)].rename(columns=mapping)
    k21["huishoudens_2021_schatting"] = k21["bevolking_2021"] / k21["gem_huishoudensgrootte"]
    for col in set(build_module.PERSON_WEIGHTED + build_module.HOUSEHOLD_WEIGHTED
                   + build_module.SUMMED + tuple(build_module.CBS_SECTORS)) - set(k21.columns):
        k21[col] = np.nan
    crosswalk = pd.read_csv(RAW / "crosswalk_gemeenten_2021_naar_2024.csv", dtype=str)
    agg = build_module.aggregate_kwb_to_2024(k21, crosswalk).set_index("gm_code")
    f9 = pd.read_csv(RAW / "kwb2021_indicatoren_op_indeling2024.csv").set_index("gm_code")
    assert list(agg.index) == sorted(f9.index)
    cols = list(mapping.values()) + ["huishoudens_2021_schatting"]
    diff = (agg[cols] - f9.loc[agg.index, cols]).abs().max()
    assert (diff <= 0.011).all(), diff[diff > 0.011]


def test_cbs_source_without_cbsodata_exits_clearly(build_module, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "cbsodata", None)  # import fails
    with pytest.raises(SystemExit) as exc:
        build_module.build(RAW, tmp_path / "out", source="cbs", echo=None)
    assert "cbsodata" in str(exc.value)
    assert not (tmp_path / "out").exists()


class _StubCbsodata:
    """Stands in for the ``cbsodata`` package: serves StatLine-shaped rows built from the raw
    files (population from the master file, KWB 2021 counts reconstructed from the nlstat file)."""

    def __init__(self, raw: Path):
        self.master = pd.read_csv(raw / "gemeenten_2025_master.csv")
        self.kwb = pd.read_csv(raw / "kwb2021_gemeente_indicatoren_nlstat.csv")
        self.calls: list[tuple[str, str]] = []

    def download_data(self, table, typed=False, select=None, filters=None, **kwargs):
        self.calls.append((table, filters))
        if table == "70072NED":
            rows = [{"RegioS": f"{c}  ", "Perioden": "2024JJ00", "TotaleBevolking_1": int(p)}
                    for c, p in zip(self.master["gm_code"], self.master["bevolking_2024"])]
            return {"TypedDataSet": rows}
        assert table == "85039NED" and "NietWestersTotaal_18" not in select
        rows = [{"WijkenEnBuurten": "WK001400  ", "SoortRegio_2": "Wijk      "}]
        for _, r in self.kwb.iterrows():
            pop, size = r["population"], r["demographics__avg_household_size"]
            hh = pop / size
            est = r["economy__business_density_per_1k_pop"] * pop / 1000
            low, high = r["humancapital__low_education_pct"], r["humancapital__high_education_pct"]
            row = {
                "WijkenEnBuurten": f"{r['gm_code_2021']}    ", "SoortRegio_2": "Gemeente  ",
                "AantalInwoners_5": pop, "HuishoudensTotaal_28": hh,
                "Eenpersoonshuishoudens_29": r["demographics__single_person_households_pct"] * hh / 100,
                "GemiddeldeHuishoudensgrootte_32": size,
                "GemiddeldeWOZWaardeVanWoningen_35": r["housing__avg_woz_value_xeur1k"],
                "PercentageEengezinswoning_36": r["housing__single_family_homes_pct"],
                "PercentageMeergezinswoning_37": r["housing__multi_family_homes_pct"],
                "PercentageOnbewoond_39": r["housing__vacancy_rate_pct"],
                "Koopwoningen_40": r["housing__owner_occupied_pct"],
                "HuurwoningenTotaal_41": r["housing__rental_homes_pct"],
                "InBezitWoningcorporatie_42": r["housing__social_housing_pct"],
                "OpleidingsniveauLaag_64": low, "OpleidingsniveauMiddelbaar_65": 100 - low - high,
                "OpleidingsniveauHoog_66": high,
                "Nettoarbeidsparticipatie_67": r["humancapital__labour_participation_pct"],
                "GemiddeldInkomenPerInwoner_72": r["incomewealth__avg_income_per_inhabitant_xeur1k"],
                "HuishoudensMetEenLaagInkomen_78": r["inequality__low_income_threshold_pct"],
                "PersonenPerSoortUitkeringBijstand_83": r["welfarecare__bijstand_recipients_per_1k"] * pop / 1000,
                "PersonenPerSoortUitkeringAO_84": r["welfarecare__disability_benefit_per_1k"] * pop / 1000,
                "PersonenPerSoortUitkeringWW_85": r["unemp_pct"] * pop / 100,
                "BedrijfsvestigingenTotaal_91": est,
                "OppervlakteLand_112": r["environment__land_area_km2"] * 100,
                "OppervlakteWater_113": r["environment__water_area_km2"] * 100,
                "MateVanStedelijkheid_116": r["services__degree_of_urbanisation_1_5"],
                "Omgevingsadressendichtheid_117": r["demographics__population_density_per_km2"],
            }
            for name, col in [("agriculture", "ALandbouwBosbouwEnVisserij_92"),
                              ("industry_energy", "BFNijverheidEnEnergie_93"),
                              ("trade_hospitality", "GIHandelEnHoreca_94"),
                              ("transport_ict", "HJVervoerInformatieEnCommunicatie_95"),
                              ("finance_real_estate", "KLFinancieleDienstenOnroerendGoed_96"),
                              ("business_services", "MNZakelijkeDienstverlening_97"),
                              ("public_edu_health", "OQOverheidOnderwijsEnZorg_98"),
                              ("culture_recreation", "RUCultuurRecreatieOverigeDiensten_99")]:
                row[col] = r[f"economy__{name}_sector_pct"] * est / 100
            rows.append({k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()})
        return {"TypedDataSet": rows}


@needs_raw
def test_cbs_source_with_stub_reproduces_raw_build(build_module, tmp_path, monkeypatch):
    stub = _StubCbsodata(RAW)
    monkeypatch.setitem(sys.modules, "cbsodata", stub)
    build_module.build(RAW, tmp_path / "cbs", source="cbs", echo=None)
    assert [t for t, _ in stub.calls] == ["70072NED", "85039NED"]
    got = pd.read_csv(tmp_path / "cbs" / "gemeenten.csv").set_index("gm_code")
    want = ds.load_gemeenten()
    assert list(got.index) == list(want.index) and list(got.columns) == list(want.columns)
    assert (got["population_2024"] == want["population_2024"]).all()
    for col in ("corporation_rental_pct", "avg_woz_keur", "land_area_km2", "education_high_pct",
                "sector_agriculture_pct", "bijstand_per_1000_inhabitants", "avg_household_size"):
        assert np.allclose(got[col], want[col], atol=0.02), col


# population by reference date, divisions (data vintages) -----------------------------------

def test_population_2025_total_is_cbs_total():
    pop = ds.load_population(REF_2025)
    assert pop.dtype == np.int64 and int(pop.sum()) == CBS_POPULATION_2025
    assert list(pop.index) == ds.gemeente_codes()
    change = pop / ds.load_population(REF_2024) - 1
    assert change.abs().max() < 0.05  # SOURCES.md file 12: every gemeente within +-5 %


@pytest.mark.skipif(not RAW_2025.exists(), reason=f"{RAW_2025} not present")
def test_population_2025_equals_the_raw_cbs_file():
    assert sha256_file(RAW_2025) == "dbe25e1060a6b1fe57c2018b723a58c3df9c2e9110639fc9a44857d2a895ee2a"  # SOURCES.md
    raw = pd.read_csv(RAW_2025, dtype={"gm_code": str}).set_index("gm_code")["bevolking_2025_01_01"]
    assert ds.load_population(REF_2025).to_dict() == raw.to_dict()


def test_population_sources_cite_cbs_and_match_the_rows():
    src = ds.load_population_sources()
    assert list(src.index) == ds.available_population_dates() == [REF_2024, REF_2025]
    assert src["national"].to_dict() == {REF_2024: CBS_POPULATION_2024, REF_2025: CBS_POPULATION_2025}
    assert "70072NED" in src.loc[REF_2024, "source"] and "03759NED" in src.loc[REF_2025, "source"]
    assert src["source"].str.contains("Bron: CBS").all() and (src["gemeenten"] == 342).all()
    assert "03759NED" in ds.population_source(REF_2025)


def test_check_population_sources_flags_wrong_total_and_missing_date():
    src = ds.load_population_sources().reset_index()
    bad = src.drop(index=0)
    bad.loc[1, "national"] = CBS_POPULATION_2025 + 1
    vs = ds.check_population_sources(bad, "population_sources.csv")
    assert len(vs) == 2
    assert vs[0].row == 3 and vs[0].column == "national" and str(CBS_POPULATION_2025) in vs[0].rule
    assert "2024-01-01" in vs[1].rule


def test_divisions_2024_2025_2026_share_the_342_codes():
    d = ds.load_divisions()
    assert list(d.index) == [2021, 2024, 2025, 2026]
    assert d["gemeenten"].to_dict() == {2021: 352, 2024: 342, 2025: 342, 2026: 342}
    assert d.loc[2024, "crosswalk"] == "crosswalk_gemeenten_2021_naar_2024.csv"
    assert d.loc[2025, "crosswalk"] == d.loc[2026, "crosswalk"] == ""
    assert d.loc[2026, "herindelingen"].startswith("none") and "1 January 2026" in d.loc[2026, "source"]
    for text in ("1 January 2022", "Weesp", "Maashorst (GM1991)", "1 January 2023", "Voorne aan Zee (GM1992)"):
        assert text in d.loc[2024, "herindelingen"], text


def test_describe_lists_what_is_embedded():
    info = ds.describe(dt.date(2026, 11, 29))
    assert info["gemeenten"] == 342 and info["division"] == [2024, 2025, 2026]
    assert [(p["reference_date"], p["national"]) for p in info["population"]] == [
        ("2024-01-01", CBS_POPULATION_2024), ("2025-01-01", CBS_POPULATION_2025)]
    assert {t["period"]: t["persons"] for t in info["national_taakstelling"]} == DOMAIN_TAAKSTELLING
    assert info["modelled"]["housing_modelled"]["dwellings_per_halfyear"] == int(
        ds.load_housing()[list(DWELLING_COLUMNS)].to_numpy().sum())
    assert info["modelled"]["reception_modelled"]["places"] == ds.RECEPTION_MODEL.existing_places
    assert info["coverage"] == [
        {"period": "2026-H2", "reference_date": "2025-01-01", "population_embedded": True, "national": None,
         "fallback_population_year": None},
        {"period": "2027-H1", "reference_date": "2026-01-01", "population_embedded": False, "national": None,
         "fallback_population_year": 2025}]


@needs_raw
def test_to_division_sums_2021_population_into_2024(build_module):
    kwb21 = pd.read_csv(RAW / "kwb2021_gemeente_indicatoren_nlstat.csv").set_index("gm_code_2021")["population"]
    got = build_module.to_division(kwb21, 2021, RAW)
    f9 = pd.read_csv(RAW / "kwb2021_indicatoren_op_indeling2024.csv").set_index("gm_code")["bevolking_2021"]
    assert list(got.index) == sorted(f9.index) and len(got) == 342
    assert (got.to_numpy() == f9.loc[got.index].to_numpy()).all()
    pop = ds.load_population(REF_2025)  # same division: unchanged
    assert build_module.to_division(pop, 2025, RAW).to_dict() == pop.to_dict()


@needs_raw
def test_build_population_checks_every_vintage(build_module, monkeypatch, tmp_path):
    master = pd.read_csv(RAW / "gemeenten_2025_master.csv", dtype={"gm_code": str})
    log = build_module.BuildLog(echo=None)
    pop, src = build_module.build_population(master, RAW, log)
    assert pop.groupby("reference_date")["population"].sum().to_dict() == {
        "2024-01-01": CBS_POPULATION_2024, "2025-01-01": CBS_POPULATION_2025}
    assert src["national"].tolist() == [CBS_POPULATION_2024, CBS_POPULATION_2025]
    assert any("-3.0% (Vlieland) .. +4.3% (Gilze en Rijen)" in line for line in log.lines)  # SOURCES.md

    first, second = build_module.POPULATION_VINTAGES
    monkeypatch.setattr(build_module, "POPULATION_VINTAGES", (first, replace_field(second, national=18_000_000)))
    with pytest.raises(build_module.BuildError, match="18,044,027"):
        build_module.build_population(master, RAW, log)

    # a jump of more than 10 % (national total kept) is taken for a transcription error
    raw = pd.read_csv(RAW_2025, dtype={"gm_code": str})
    raw.loc[raw["gm_code"] == "GM0096", "bevolking_2025_01_01"] += 200  # Vlieland, ~1,100 inhabitants
    raw.loc[raw["gm_code"] == "GM0363", "bevolking_2025_01_01"] -= 200
    raw.to_csv(tmp_path / second.raw_file, index=False)
    monkeypatch.setattr(build_module, "POPULATION_VINTAGES", (first, second))
    with pytest.raises(build_module.BuildError, match="GM0096"):
        build_module.build_population(master, tmp_path, log)
    monkeypatch.setattr(build_module, "POPULATION_VINTAGES", (second, first))
    with pytest.raises(build_module.BuildError, match="ascending"):
        build_module.build_population(master, RAW, log)


@needs_raw
def test_build_taakstelling_adds_published_periods_without_gap_or_contradiction(build_module, monkeypatch):
    log = build_module.BuildLog(echo=None)
    monkeypatch.setattr(build_module, "PUBLISHED_TAAKSTELLING", {"2026-H2": (13_000, "Staatscourant 2026, nr. 1")})
    t = build_module.build_taakstelling(RAW, log)
    assert t.iloc[-1].tolist() == ["2026-H2", 13_000, "Staatscourant 2026, nr. 1"] and len(t) == 12
    monkeypatch.setattr(build_module, "PUBLISHED_TAAKSTELLING", {"2027-H1": (14_000, "x")})
    with pytest.raises(build_module.BuildError, match="gap: 2026-H2"):
        build_module.build_taakstelling(RAW, log)
    monkeypatch.setattr(build_module, "PUBLISHED_TAAKSTELLING", {"2026-H1": (14_000, "x")})
    with pytest.raises(build_module.BuildError, match="2026-H1"):
        build_module.build_taakstelling(RAW, log)


@needs_raw
def test_build_divisions_checks_the_crosswalk_sizes(build_module, monkeypatch):
    master = pd.read_csv(RAW / "gemeenten_2025_master.csv", dtype={"gm_code": str})
    log = build_module.BuildLog(echo=None)
    assert list(build_module.build_divisions(master, RAW, log)["division"]) == [2021, 2024, 2025, 2026]
    divisions = list(build_module.DIVISIONS)
    divisions[0] = replace_field(divisions[0], gemeenten=351)
    monkeypatch.setattr(build_module, "DIVISIONS", tuple(divisions))
    with pytest.raises(build_module.BuildError, match="352"):
        build_module.build_divisions(master, RAW, log)
