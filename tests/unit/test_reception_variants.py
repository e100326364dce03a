"""Reception variant files: the shipped ones load; bad ones are rejected with clear messages
naming the file and the field; the CLI exits with code 2 and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from optimizer.cli import reception as cli_reception
from optimizer.core.errors import InputError
from optimizer.core.paths import variants_dir
from optimizer.reception import run as reception
from optimizer.reception.variant import field_docs, load_variant

SHIPPED = sorted(p.stem for p in variants_dir().glob("reception-*.toml"))
REQUIRED = {"reception-statutory", "reception-bonus-only", "reception-linear-malus", "reception-budget-neutral",
            "reception-progressive", "reception-eu2015", "reception-sweden", "reception-verevening"}


def app() -> typer.Typer:
    a = typer.Typer()
    a.command("reception")(cli_reception.reception)
    a.command("compare")(cli_reception.compare)
    return a


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_required_variants_are_shipped():
    assert set(SHIPPED) >= REQUIRED


@pytest.mark.parametrize("stem", SHIPPED)
def test_shipped_variants_load(stem):
    path = variants_dir() / f"{stem}.toml"
    assert path.read_text(encoding="utf-8").lstrip().startswith('kind = "reception"')
    v = load_variant(path)
    assert v.kind == "reception" and v.name and v.description and v.sha256
    assert load_variant(stem.removeprefix("reception-")).sha256 == v.sha256  # short names resolve


def test_shipped_schemes_have_the_documented_numbers():
    bonus = load_variant("bonus-only").financing
    assert bonus.place_bonus["national"].durable == 5_000 and bonus.place_bonus["national"].temporary == 2_500
    assert bonus.place_bonus["provincial"].durable == 4_000 and bonus.place_bonus["provincial"].temporary == 1_500
    assert not bonus.shortfall and not bonus.surplus
    malus = load_variant("linear-malus").financing
    assert [(t.upto, t.rate) for t in malus.shortfall] == [(None, 20_000)]
    assert load_variant("budget-neutral").financing.budget_neutral
    prog = load_variant("progressive").financing
    rates = [t.rate for t in prog.shortfall]
    assert rates == sorted(rates) and len(rates) > 1 and prog.malus_cap_eur_per_inhabitant
    assert load_variant("eu2015").key.component_weights() == {"population": 0.4, "economic": 0.4,
                                                              "past_efforts": 0.1, "unemployment": 0.1}
    assert load_variant("sweden").key.component_weights() == {"labour_market": 0.43, "population": 0.37,
                                                              "past_efforts": 0.20}
    assert load_variant("statutory").financing is None
    assert load_variant("verevening").verevening.enabled


HEAD = 'kind = "reception"\nname = "bad"\n'


@pytest.mark.parametrize("body, field, message", [
    ('[key]\nname = "germany"\n', "key.name", "unknown key 'germany'"),
    ('[key]\nname = "custom"\nweights = {population = 0.5, economic = 0.3}\n', "key", "must sum to 1"),
    ('[key]\nname = "custom"\nweights = {population = 0.5, gdp = 0.5}\n', "key", "unknown key component"),
    ('[financing]\n[[financing.shortfall]]\nrate = -20000\n', "financing.shortfall.0.rate", "greater than or equal to 0"),
    ('[financing.place_bonus.national]\ndurable = -5\n', "financing.place_bonus.national.durable", "greater than or equal to 0"),
    ('[financing]\n[[financing.shortfall]]\nupto = 10\nrate = 1\n[[financing.shortfall]]\nupto = 5\nrate = 2\n',
     "financing", "larger than the previous breakpoint"),
    ('[financing]\nbudget_neutral = true\n[[financing.surplus]]\nrate = 1\n[[financing.shortfall]]\nrate = 1\n',
     "financing", "no surplus tiers"),
    ('[financing]\nbudget_neutral = true\n', "financing", "needs shortfall"),
    ('[[sites]]\nname = "s"\nmin_size = 50\nmax_size = 10\n', "sites.0", "max_size (10) must be >= min_size (50)"),
    ('[gemeenten]\ndesignated = ["0363"]\n', "gemeenten.designated", "must look like GM0014"),
    ('total_places = -5\n', "total_places", "greater than or equal to 0"),
    ('[objective]\ndeviaton = 3\n', "objective.deviaton", "unknown field"),
    ('[key]\nname = "spreidingswet"\n', None, "give key.spreidingswet_file"),
    ('[verevening]\nperiod = "2026"\n', "verevening.period", "should match pattern"),
    ('[objective]\nband_slopes = [1, 4, 2, 8, 16]\n', "objective", "non-decreasing"),
    ('[objective]\nband_slopes = [1, 2, 4, 8]\n', "objective", "one value more than band_ends"),
    ('[objective]\nband_ends = [0.5, 0.2, 0.7]\n', "objective", "increasing"),
])
def test_bad_variant_files_rejected(tmp_path, body, field, message):
    path = write(tmp_path, HEAD + body)
    with pytest.raises(InputError) as err:
        load_variant(path)
    report = err.value.report()
    assert str(path) in report
    assert message in report
    if field is not None:
        assert f"'{field}'" in report


def test_all_problems_reported_at_once(tmp_path):
    path = write(tmp_path, HEAD + 'total_places = -1\n[key]\nname = "x"\n[objective]\nsite_cost = -1\n')
    with pytest.raises(InputError) as err:
        load_variant(path)
    assert len(err.value.violations) == 3


def test_wrong_kind_and_bad_toml(tmp_path):
    with pytest.raises(InputError, match='needs kind = "reception"'):
        load_variant(write(tmp_path, 'kind = "koppeling"\n'))
    with pytest.raises(InputError, match="not valid TOML"):
        load_variant(write(tmp_path, 'kind = "reception"\nname = \n'))
    with pytest.raises(InputError, match="reception variant not found"):
        load_variant("no-such-variant")


def test_unknown_gemeente_rejected_when_prepared(tmp_path):
    path = write(tmp_path, HEAD + '[gemeenten]\nexcluded = ["GM9999"]\ndesignated = ["GM0363", "GM9998"]\n')
    v = load_variant(path)
    with pytest.raises(InputError) as err:
        reception.prepare(v)
    report = err.value.report()
    assert "GM9999" in report and "GM9998" in report and "GM0363" not in report
    assert "unknown gemeente code" in report and "'gemeenten.excluded'" in report and str(path) in report


def test_missing_spreidingswet_file_is_named(tmp_path):
    path = write(tmp_path, HEAD + '[key]\nname = "spreidingswet"\nspreidingswet_file = "nowhere.csv"\n')
    with pytest.raises(InputError, match="Spreidingswet file not found"):
        reception.prepare(load_variant(path))


def test_provincial_totals_file_checked(tmp_path):
    csv = write(tmp_path, "provincie_code,places\nPV20,10\nPV99,5\nPV21,x\n", "prov.csv")
    path = write(tmp_path, HEAD + f'[provinces]\ntotals = "file"\nfile = "{csv.name}"\n')
    with pytest.raises(InputError) as err:
        reception.prepare(load_variant(path))
    report = err.value.report()
    assert "unknown province" in report and "whole number" in report and "province missing" in report


def test_provincial_totals_from_file_used(tmp_path):
    from optimizer.data import dataset
    gem = dataset.load_gemeenten()
    totals = gem.groupby("provincie_code").size() * 10
    csv = tmp_path / "prov.csv"
    pd.DataFrame({"provincie_code": totals.index, "plaatsen": totals.values}).to_csv(csv, index=False)
    path = write(tmp_path, HEAD + f'[provinces]\ntotals = "file"\nfile = "{csv.name}"\ncolumn = "plaatsen"\n')
    prep = reception.prepare(load_variant(path))
    assert prep.files["provinces"] == csv  # hashed into run.json
    assert (prep.provinces["province_total"] == totals).all()
    assert prep.frame.groupby("provincie_code")["fair_share"].sum().equals(totals.rename("fair_share"))


def test_cli_bad_variant_exits_2_without_output(tmp_path):
    path = write(tmp_path, HEAD + '[key]\nname = "custom"\nweights = {population = 0.7}\n')
    out = tmp_path / "out"
    r = CliRunner().invoke(app(), ["reception", "--variant", str(path), "--out", str(out)])
    assert r.exit_code == 2
    assert "must sum to 1" in r.output and "Traceback" not in r.output
    assert not out.exists()
    r = CliRunner().invoke(app(), ["compare", "statutory", str(path), "--out", str(out)])
    assert r.exit_code == 2 and "must sum to 1" in r.output and not out.exists()
    r = CliRunner().invoke(app(), ["compare", "statutory", "--out", str(out), "--sweep", "beauty", "--from", "0",
                                   "--to", "1"])
    assert r.exit_code == 2 and "unknown weight" in r.output and not out.exists()


def test_field_docs_cover_the_schema():
    rows = {path: desc for path, _, desc in field_docs()}
    for path in ("total_places", "key.name", "key.weights", "objective.deviation", "financing.budget_neutral",
                 "verevening.factor", "gemeenten.max_places_per_1000", "sites[]", "sites[].min_size",
                 "financing.shortfall[].rate", "financing.place_bonus.<phase>.durable"):
        assert rows.get(path), path


def test_solver_options_defaults_and_overrides(tmp_path):
    v = load_variant(write(tmp_path, HEAD))
    opts = v.solver.options()
    assert (opts.time_limit, opts.mip_rel_gap, opts.threads, opts.random_seed) == (120.0, 1e-4, 1, 0)
    assert v.solver.options(time_limit=None).time_limit == 120.0  # an option not given keeps the variant's
    v = load_variant(write(tmp_path, HEAD + "[solver]\nmip_rel_gap = 0.01\nhighs = {presolve = \"off\"}\n"))
    opts = v.solver.options(time_limit=5.0)
    assert (opts.time_limit, opts.mip_rel_gap, opts.extra) == (5.0, 0.01, {"presolve": "off"})


def test_validate_reports_codes_and_national_total_at_once(tmp_path):
    from optimizer.reception.inputs import load, validate
    csv = write(tmp_path, "provincie_code,places\n" + "".join(f"PV{p},10\n" for p in range(20, 32)), "prov.csv")
    path = write(tmp_path, HEAD + f'total_places = 100\n[provinces]\ntotals = "file"\nfile = "{csv.name}"\n'
                 '[gemeenten]\nexcluded = ["GM9999"]\n')
    v = load_variant(path)
    with pytest.raises(InputError) as err:
        validate(v, load(v))
    report = err.value.report()
    assert "GM9999" in report and "total_places (100) differs from the sum of the provincial totals (120)" in report


def test_variants_pickle_for_worker_processes():
    import pickle
    v = load_variant("progressive")
    back = pickle.loads(pickle.dumps(v))
    assert back == v and back.solver.options() == v.solver.options()
