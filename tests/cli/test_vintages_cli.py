"""The periods we are in (late 2026) through the command line: data vintages.

2026 half-years use the embedded CBS population of 1 January 2025; national totals are embedded
up to 2026-H1; 2027 half-years need a population file or an explicit, recorded fallback year.
Expected numbers are recomputed with Fraction from data/population.csv (read with the csv
module); ``spreiding data`` is checked against published facts (CBS totals, DOMAIN.md).
"""

from __future__ import annotations

import json

import pytest
from support.cli import formula, invoke, population, read_csv

POP_2025 = population("2025-01-01")


@pytest.mark.parametrize("rounding", ["up", "nearest"])
def test_taakstelling_2026_h1_on_a_fresh_clone(tmp_path, monkeypatch, rounding):
    monkeypatch.setenv("SPREIDING_RAW", str(tmp_path / "no-raw-files"))  # only what the repository holds
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2026-H1", "--rounding", rounding, "--out", str(out))
    assert r.exit_code == 0, r.stderr
    rows = read_csv(out)
    assert {row["gm_code"]: int(row["taakstelling"]) for row in rows} == formula(15_000, POP_2025, rounding)
    assert {(row["national"], row["reference_date"], row["rounding"]) for row in rows} == {
        ("15000", "2025-01-01", rounding)}
    assert "population of 2025-01-01" in r.stderr and "warning" not in r.stderr


@pytest.mark.parametrize("period", ["2026-H2", "2027-H1"])
def test_taakstelling_without_national_total_says_to_give_it(tmp_path, period):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", period, "--out", str(out))
    assert r.exit_code == 2 and not out.exists()
    assert f"no national taakstelling known for {period}" in r.stderr and "--national N" in r.stderr


def test_taakstelling_2026_h2_with_national(tmp_path):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2026-H2", "--national", "13000", "--out", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    rows = read_csv(out)
    assert {row["gm_code"]: int(row["taakstelling"]) for row in rows} == formula(13_000, POP_2025)
    assert {row["reference_date"] for row in rows} == {"2025-01-01"}


def test_taakstelling_2027_h1_with_a_population_file(tmp_path):
    pops = {g: p + 37 for g, p in POP_2025.items()}
    pop_file = tmp_path / "bevolking_2026.csv"
    pop_file.write_text("gm_code,population\n" + "".join(f"{g},{p}\n" for g, p in pops.items()), encoding="utf-8")
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2027-H1", "--national", "14000", "--population", str(pop_file),
               "--out", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    rows = read_csv(out)
    assert {row["gm_code"]: int(row["taakstelling"]) for row in rows} == formula(14_000, pops)
    assert {row["reference_date"] for row in rows} == {"2026-01-01"} and "population_fallback" not in rows[0]


def test_taakstelling_2027_h1_population_year_fallback_is_warned_and_recorded(tmp_path):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2027-H1", "--national", "14000", "--population-year", "2025",
               "--out", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("warning: population of 2025-01-01 used instead of 2026-01-01") == 1
    rows = read_csv(out)
    assert {row["gm_code"]: int(row["taakstelling"]) for row in rows} == formula(14_000, POP_2025)
    assert {row["reference_date"] for row in rows} == {"2025-01-01"}
    assert all("2026-01-01" in row["population_fallback"] for row in rows)


def test_taakstelling_2027_h1_without_population_names_date_and_options(tmp_path):
    out = tmp_path / "t.csv"
    r = invoke("taakstelling", "--period", "2027-H1", "--out", str(out))
    assert r.exit_code == 2 and not out.exists()
    assert "2 problems" in r.stderr
    for text in ("2026-01-01", "--population FILE", "--population-year 2025", "--national N"):
        assert text in r.stderr, text


def test_state_2027_h1_with_population_year(tmp_path):
    out = tmp_path / "state.csv"
    r = invoke("state", "--period", "2027-H1", "--date", "2027-01-11", "--national", "14000",
               "--population-year", "2025", "--out", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    assert "warning: population of 2025-01-01" in r.stderr
    rows = read_csv(out)
    assert {row["gm_code"]: int(row["taakstelling"]) for row in rows} == formula(14_000, POP_2025)


def test_data_command_prints_what_is_embedded():
    r = invoke("data", "--date", "2026-11-29")
    assert r.exit_code == 0, r.stderr
    text = r.stdout
    for part in ("342 gemeenten in 12 provinces", "2024 = 2025 = 2026", "2026: 342 gemeenten; herindelingen: none",
                 "2024-01-01: 342 gemeenten, national 17,942,942, for 2025-H1 and 2025-H2", "70072NED",
                 "2025-01-01: 342 gemeenten, national 18,044,027, for 2026-H1 and 2026-H2", "03759NED",
                 "2026-H1: 15,000", "after 2026-H1: not embedded, give --national N",
                 "housing_modelled.csv: 6,440 dwellings", "reception_modelled.csv: 50,000", "MODELLED",
                 "2026-H2: population of 2025-01-01 embedded; national total NOT embedded: give --national N",
                 "2027-H1: population of 2026-01-01 NOT embedded: give --population FILE or --population-year 2025"):
        assert part in text, part


def test_data_command_json():
    r = invoke("data", "--json", "--date", "2026-03-02")
    assert r.exit_code == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["gemeenten"] == 342 and info["division"] == [2024, 2025, 2026]
    assert {p["reference_date"]: p["national"] for p in info["population"]} == {
        "2024-01-01": 17_942_942, "2025-01-01": 18_044_027}
    assert info["coverage"][0] == {"period": "2026-H1", "reference_date": "2025-01-01", "population_embedded": True,
                                   "national": 15_000, "fallback_population_year": None}
    assert set(info["sha256"]) == {"gemeenten", "divisions", "population", "population_sources",
                                   "taakstelling_national", "housing_modelled", "reception_modelled"}


def test_demo_for_the_current_half_year(tmp_path):
    out = tmp_path / "demo"
    r = invoke("demo", "--period", "2026-H2", "--date", "2026-11-30", "--national", "13000", "--n", "60",
               "--out", str(out), "-q")
    assert r.exit_code == 0, r.stderr
    rows = read_csv(out / "taakstelling.csv")
    assert {row["gm_code"]: int(row["taakstelling"]) for row in rows} == formula(13_000, POP_2025)
    # after the koppel deadline (1 October) the demo assumes nothing linked: catch-up, all still missing
    state = {row["gm_code"]: row for row in read_csv(out / "state.csv")}
    assert {g: float(row["target"]) for g, row in state.items()} == {
        g: float(t) for g, t in formula(13_000, POP_2025).items()}
    assert {row["linked"] for row in state.values()} == {"0"}
    run = json.loads((out / "proposal" / "run.json").read_text(encoding="utf-8"))
    assert run["population"]["reference_date"] == "2025-01-01" and run["population"]["fallback"] is None
    assert "03759NED" in run["population"]["source"]


def test_demo_2027_needs_its_population_and_national_total(tmp_path):
    out = tmp_path / "demo"
    r = invoke("demo", "--period", "2027-H1", "--date", "2027-01-11", "--out", str(out))
    assert r.exit_code == 2 and not out.exists()
    assert "--national N" in r.stderr and "--population-year 2025" in r.stderr


def test_propose_for_2026_h2_needs_national_and_takes_it(tmp_path):
    hh = tmp_path / "households.csv"
    assert invoke("households", "--n", "5", "--as-of", "2026-11-30", "--out", str(hh), "-q").exit_code == 0
    out = tmp_path / "proposal"
    r = invoke("propose", "--households", str(hh), "--period", "2026-H2", "--date", "2026-11-30", "--out", str(out))
    assert r.exit_code == 2 and not out.exists()
    assert "2026-H2" in r.stderr and "--national N" in r.stderr
