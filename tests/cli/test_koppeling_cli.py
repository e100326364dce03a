"""End to end: ``run_propose`` and its stages, ``spreiding propose`` and ``spreiding demo``; bad
variant and boundary files; solver settings from the variant; LP+RENS against plain MIP. Every
proposal written is re-checked independently from the files on disk
(``support.checker.check_proposal``)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from support.checker import check_proposal, dwelling_terms_agree, objective_from_tables, tables_rounding
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.paths import variants_dir
from optimizer.data import schemas
from optimizer.data.synthetic import generate_households
from optimizer.koppeling import run as stages
from optimizer.koppeling.inputs import build_inputs
from optimizer.koppeling.run import ProposeConfig, optimise, run_propose
from optimizer.koppeling.tables import gemeenten_table, proposal_table
from optimizer.koppeling.variant import load_variant
from optimizer.rules.state import build_state
from optimizer.solve.highs import SolverOptions, Status

DAY = date(2025, 8, 4)
PERIOD = "2025-H2"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def national_state() -> pd.DataFrame:
    return build_state(PERIOD, DAY)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, national_state):
    """A 60-household synthetic batch and the embedded state of 2025-H2 on 4 August, as files."""
    d = tmp_path_factory.mktemp("inputs")
    households = d / "households.csv"
    generate_households(60, 11, as_of=DAY).to_csv(households, index=False)
    state = d / "state.csv"
    national_state.to_csv(state, index=False)
    return households, state


def check_written(out: Path, households: pd.DataFrame, state: pd.DataFrame, record: dict) -> None:
    """Re-check the written files: rules, bookkeeping, terms adding up to run.json, and the
    solver's numbers (as HiGHS gave them) bounding the tables' objective."""
    proposal = read_csv(out / "proposal.csv")
    gem = read_csv(out / "gemeenten.csv")
    check_proposal(proposal, gem, households, state)
    w = record["variant"]["weights"]
    tables = record["objective_from_tables"]
    tol = 1e-6 * max(1.0, abs(record["objective"]))
    assert objective_from_tables(proposal, gem, w["minimax"]) == pytest.approx(
        tables, abs=tables_rounding(proposal, gem, w["minimax"]) + tol)
    # the tables hold the solver's solution with the smallest deviations: never worse than the
    # solver's objective, never better than its proven bound
    assert tables <= record["objective"] + tol
    if record["bound"] is not None:
        assert record["bound"] <= tables + tol and record["bound"] <= record["objective"] + tol
    assert not dwelling_terms_agree(proposal, gem)
    if record["status"] == "optimal":
        slack = tables - record["bound"]
        for k in (1, 2, 3):
            deltas = pd.to_numeric(proposal[f"alt{k}_delta"].replace("", None), errors="coerce").dropna()
            assert (deltas >= -slack - 1e-6).all()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, inputs):
    """run_propose on the 60-household batch, solved to optimality (also the --previous below)."""
    households, state = inputs
    out = tmp_path_factory.mktemp("first") / "out"
    record = run_propose(ProposeConfig(households=households, state=state, out=out, as_of=DAY, formats=("csv",),
                                       time_limit=60, mip_rel_gap=1e-9))
    return out, record


def test_run_propose_writes_files_and_run_record(inputs, first_run):
    households, state = inputs
    out, _record = first_run
    names = sorted(p.name for p in out.iterdir())
    assert names == ["fairness.csv", "gemeenten.csv", "household_types.csv", "proposal.csv",
                     "provinces.csv", "report.html", "report.xlsx", "run.json"]
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    # inputs by hash, the variant, the solver and its version
    assert run["inputs"]["households"]["sha256"] == sha256(households)
    assert run["inputs"]["state"]["sha256"] == sha256(state)
    assert run["inputs"]["locks"] is None and run["inputs"]["previous"] is None
    default = variants_dir() / "default.toml"
    assert run["variant"]["name"] == "default" and run["variant"]["sha256"] == sha256(default)
    assert run["variant"]["weights"] == load_variant("default").weights.model_dump()
    import highspy
    assert run["solver"]["solver"] == f"HiGHS {highspy.Highs().version()}"
    assert run["solver"]["version"] == highspy.Highs().version()
    assert run["solver"]["limit"] is None  # solved to optimality: no limit stopped it
    assert run["packages"]["highspy"] == highspy.Highs().version()
    assert run["status"] in ("optimal", "feasible")
    for key in ("objective", "bound", "gap"):
        assert isinstance(run[key], float)
    assert run["bound"] <= run["objective"] + 1e-6
    assert run["gap"] == pytest.approx(abs(run["objective"] - run["bound"]) / max(abs(run["objective"]), 1e-9),
                                       abs=1e-9)
    # solved to a gap of 1e-9: the tables' objective is the solver's
    assert run["objective_from_tables"] == pytest.approx(run["objective"], rel=1e-6)
    assert sum(run["terms_weighted"].values()) == pytest.approx(run["objective_from_tables"], rel=1e-12)
    for key in ("read_validate", "inputs", "build", "compile", "solve", "extract", "explain", "total"):
        assert run["timings_seconds"][key] >= 0
    assert run["as_of"] == DAY.isoformat()
    assert run["population"]["reference_date"] is None  # a given state: its population is not known here
    assert "state" in run["population"]["source"]
    h = run["households"]
    assert h["in_file"] == len(read_csv(households))
    assert h["linked"] + h["unplaced"] + h["excluded"] + h["context"] == h["in_file"]
    hh = schemas.load_households(households)
    st = schemas.load_state(state)
    check_written(out, hh, st, run)
    # no personal data beyond IDs in the run record
    text = (out / "run.json").read_text(encoding="utf-8")
    assert "adult_ages" not in text and "education" not in text


def test_stages_called_one_by_one_give_the_run_propose_result(tmp_path, inputs, first_run):
    households, state = inputs
    first, record = first_run
    cfg = ProposeConfig(households=households, state=state, out=tmp_path / "staged", as_of=DAY, formats=("csv",),
                        time_limit=60, mip_rel_gap=1e-9)
    timings = stages.Timings()
    timings.seconds = dict.fromkeys(("read_validate", "inputs", "build", "extract", "explain"), 0.0)
    data = stages.validate(cfg, stages.load(cfg))
    ctx = stages.inputs(cfg, data)
    built = stages.build(ctx, cfg.formulation)
    options = stages.solver_options(cfg, data.variant)
    result = stages.solve(ctx, built, options, stages.choose_strategy(cfg.strategy, cfg.formulation, ctx.inputs))
    sol = stages.extract(ctx, built, result)
    tables = stages.explain(ctx, sol, data)
    staged = stages.write(cfg, data, ctx, sol, tables, timings)
    assert staged["objective"] == pytest.approx(record["objective"], rel=1e-9)
    assert staged["terms_raw"] == record["terms_raw"]
    assert (tmp_path / "staged" / "proposal.csv").read_bytes() == (first / "proposal.csv").read_bytes()


def test_solver_settings_come_from_the_variant_unless_given(tmp_path):
    path = tmp_path / "slow.toml"
    path.write_text('kind = "koppeling"\nname = "slow"\n[solver]\ntime_limit = 7.5\nmip_rel_gap = 0.01\n'
                    'threads = 2\nrandom_seed = 3\nhighs = { mip_heuristic_effort = 0.1 }\n', encoding="utf-8")
    variant = load_variant(path)
    base = ProposeConfig(households="", state="", out="")
    options = stages.solver_options(base, variant)
    assert (options.time_limit, options.mip_rel_gap, options.threads, options.random_seed) == (7.5, 0.01, 2, 3)
    assert options.extra == {"mip_heuristic_effort": 0.1}
    given = ProposeConfig(households="", state="", out="", time_limit=30, mip_rel_gap=1e-6, threads=1, seed=0)
    options = stages.solver_options(given, variant)
    assert (options.time_limit, options.mip_rel_gap, options.threads, options.random_seed) == (30, 1e-6, 1, 0)
    # the default variant's [solver] values are the engine's long-standing defaults
    default = stages.solver_options(base, load_variant("default"))
    assert (default.time_limit, default.mip_rel_gap, default.threads, default.random_seed) == (60.0, 1e-3, 1, 0)


def test_bad_boundaries_file_exits_2_before_anything_is_solved(tmp_path, inputs, monkeypatch):
    households, state = inputs

    def no_build(*args, **kwargs):
        raise AssertionError("the model was built although an input is wrong")

    monkeypatch.setattr(stages, "build", no_build)
    out = tmp_path / "out"
    missing = tmp_path / "gemeenten.geojson"
    result = CliRunner().invoke(app, ["propose", "--households", str(households), "--state", str(state),
                                      "--boundaries", str(missing), "--out", str(out), "--no-xlsx", "--quiet"])
    assert result.exit_code == 2, result.output
    assert str(missing) in result.output and "boundary file not found" in result.output
    assert not out.exists()


def test_cli_propose_with_period_and_date(tmp_path, inputs, national_state):
    households, _ = inputs
    out = tmp_path / "cli"
    result = CliRunner().invoke(app, ["propose", "--households", str(households), "--period", PERIOD,
                                      "--date", DAY.isoformat(), "--out", str(out), "--no-xlsx", "--quiet",
                                      "--time-limit", "60"])
    assert result.exit_code == 0, result.output
    assert "status optimal" in result.output or "status feasible" in result.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["as_of"] == DAY.isoformat()
    check_written(out, schemas.load_households(households), schemas.load_state(national_state), run)


def test_cli_previous_proposal_is_reproduced(tmp_path, inputs, first_run):
    households, state = inputs
    first, record = first_run
    out = tmp_path / "again"
    result = CliRunner().invoke(app, ["propose", "--households", str(households), "--state", str(state),
                                      "--date", DAY.isoformat(), "--previous", str(first / "proposal.csv"),
                                      "--gap", "1e-9", "--out", str(out), "--no-xlsx", "--quiet"])
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["inputs"]["previous"]["sha256"] == sha256(first / "proposal.csv")
    before, after = read_csv(first / "proposal.csv"), read_csv(out / "proposal.csv")
    assert before[["household_id", "status", "gm_code"]].equals(after[["household_id", "status", "gm_code"]])
    assert pd.to_numeric(after["term_change"].replace("", "0")).sum() == 0
    assert run["objective"] == pytest.approx(record["objective"], rel=1e-6, abs=1e-6)


def test_cli_locks_are_honoured(tmp_path, inputs, first_run):
    households, state = inputs
    first, _ = first_run
    proposal = read_csv(first / "proposal.csv")
    hh = schemas.load_households(households)
    plain = hh.index[(hh["referent_id"] == "") & (hh[["tie_family_gm", "tie_work_gm", "tie_study_gm",
                                                       "tie_medical_amr"]] == "").all(axis=1)]
    linked = proposal[(proposal["status"] == "linked") & proposal["household_id"].isin(plain)]
    a, b = linked.iloc[0], linked[linked["gm_code"] != linked.iloc[0]["gm_code"]].iloc[0]
    # forbid a's gemeente; fix b to a's gemeente (it has a dwelling of a's class at least)
    locks = pd.DataFrame({"household_id": [a["household_id"], b["household_id"]],
                          "gm_code": [a["gm_code"], a["gm_code"]], "action": ["forbid", "fix"]})
    lock_path = tmp_path / "locks.csv"
    locks.to_csv(lock_path, index=False)
    out = tmp_path / "locked"
    result = CliRunner().invoke(app, ["propose", "--households", str(households), "--state", str(state),
                                      "--date", DAY.isoformat(), "--lock", str(lock_path), "--out", str(out),
                                      "--no-xlsx", "--quiet"])
    assert result.exit_code == 0, result.output
    after = read_csv(out / "proposal.csv").set_index("household_id")
    assert after.loc[a["household_id"], "gm_code"] != a["gm_code"]
    fixed = after.loc[b["household_id"]]
    assert fixed["status"] == "unplaced" or fixed["gm_code"] == a["gm_code"]
    check_proposal(after.reset_index(), read_csv(out / "gemeenten.csv"), hh, schemas.load_state(state),
                   schemas.load_locks(lock_path, hh))


def test_cli_demo(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--n", "40", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    for name in ("taakstelling.csv", "households.csv", "state.csv", "proposal/proposal.csv",
                 "proposal/gemeenten.csv", "proposal/run.json", "proposal/report.html", "proposal/report.xlsx"):
        assert (out / name).exists(), name
    assert f"report: {out / 'proposal' / 'report.html'}" in result.output  # the demo ends with its report
    run = json.loads((out / "proposal" / "run.json").read_text(encoding="utf-8"))
    assert run["report"] == ["report.html", "report.xlsx"]
    hh = schemas.load_households(out / "households.csv")
    assert len(hh) >= 40
    check_written(out / "proposal", hh, schemas.load_state(out / "state.csv"), run)


BAD_VARIANTS = {
    "unknown_weight": ('kind = "koppeling"\n[weights]\nquota = 100.0\nhappiness = 3.0\n', "weights.happiness"),
    "negative_weight": ('kind = "koppeling"\n[weights]\nlabour = -5.0\n', "weights.labour"),
    "wrong_type": ('kind = "koppeling"\n[weights]\nquota = "a lot"\n', "weights.quota"),
    "wrong_option": ('kind = "koppeling"\n[options]\nties = "sometimes"\n', "options.ties"),
    "reception_kind": ('kind = "reception"\nname = "x"\n', "kind"),
    "not_toml": ('kind = "koppeling"\n[weights\n', "TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD_VARIANTS))
def test_bad_variant_file_exits_2_naming_file_and_field(tmp_path, inputs, case):
    text, field = BAD_VARIANTS[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    households, state = inputs
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["propose", "--households", str(households), "--state", str(state),
                                      "--variant", str(path), "--out", str(out), "--no-xlsx", "--quiet"])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output
    assert field in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_variant_name_exits_2_listing_the_known_ones(tmp_path, inputs):
    households, state = inputs
    result = CliRunner().invoke(app, ["propose", "--households", str(households), "--state", str(state),
                                      "--variant", "no-such-variant", "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 2
    assert "no-such-variant" in result.output and "labour-first" in result.output


def test_rens_and_mip_agree_within_the_gap(national_state):
    households = schemas.load_households(generate_households(150, 21, as_of=DAY))
    state = schemas.load_state(national_state)
    variant = load_variant("default")
    gap = 1e-3
    results = {}
    for strategy in ("mip", "rens"):
        ctx = build_inputs(households, state, variant, as_of=DAY)
        sol = optimise(ctx, SolverOptions(time_limit=60, mip_rel_gap=gap), strategy=strategy)
        assert sol.result.status == Status.OPTIMAL, strategy
        proposal = proposal_table(ctx, sol, households)
        check_proposal(proposal, gemeenten_table(ctx, sol, households, state), households, state)
        results[strategy] = sol.result
    mip, rens = results["mip"], results["rens"]
    assert rens.options.get("strategy", "").startswith("lp+rens")
    # each objective respects the other's proven bound, and both are within the gap of the optimum
    for a, b in ((mip, rens), (rens, mip)):
        assert a.objective >= b.bound - 1e-6 * abs(b.bound)
        assert a.gap <= gap + 1e-9
    assert abs(mip.objective - rens.objective) <= gap * max(abs(mip.objective), abs(rens.objective)) + 1e-6
