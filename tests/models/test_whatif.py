"""``spreiding what-if``: the reported difference is the difference of two independent optima
(brute force over every assignment, ``support.checker.brute_force``), it lies between 0 and the
proposal's one-household alternative delta (the move is one solution of the locked problem),
and the households that move are listed."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from support.cases import A, B, C, run_case, validated_state
from support.checker import Instance, brute_force, household_row, state_frame, variant_toml, weights
from support.cli import invoke

from optimizer.core.errors import InputError
from optimizer.data import schemas
from optimizer.koppeling.run import ProposeConfig
from optimizer.koppeling.whatif import run_what_if

ROWS = [household_row(f"H{i}") for i in (1, 2, 3, 4)] + [household_row("H5", 3, children=1)]
LIVE = {A: dict(target=2, c1=2, c3=1), B: dict(target=1, c1=2), C: dict(target=4, c1=1, c2=1, c3=1)}
W = weights(quota=100, size_fit=4, unplaced=1000, waiting=1)


def _cfg(tmp_path, out: str, **kw) -> ProposeConfig:
    return ProposeConfig(households=pd.DataFrame(ROWS), state=state_frame(LIVE), out=tmp_path / out,
                         variant=variant_toml(tmp_path / "w.toml", W), make_map=False, formats=("csv",), **kw)


def _optimum(locks: list[tuple[str, str, str]] | None = None) -> float:
    households = schemas.validate_households(pd.DataFrame(ROWS), "households")
    lock_df = pd.DataFrame(locks, columns=["household_id", "gm_code", "action"]) if locks else None
    best, _ = brute_force(Instance(households, validated_state(LIVE), W, locks=lock_df))
    return best


@pytest.mark.parametrize("question", [("H1", B), ("H1", C), ("H5", A), ("H2", None)])
def test_difference_equals_two_independent_optima_and_is_bounded_by_the_alternative(tmp_path, question):
    hid, z = question
    record = run_what_if(_cfg(tmp_path, "w"), hid, z)
    w = record["what_if"]
    base = _optimum()
    proposal = run_case(tmp_path, ROWS, LIVE, W)
    current = proposal.gm(hid)
    lock = (hid, z, "fix") if z else (hid, current, "forbid")
    assert w["objective_proposal"] == pytest.approx(base, abs=1e-3)
    assert w["difference"] == pytest.approx(_optimum([lock]) - base, abs=1e-3)
    # 0 <= difference <= the one-household move's delta (stated in the proposal's alternatives)
    assert w["difference"] >= -1e-6
    if z is not None and w["alternative_delta"] is not None:
        assert w["difference"] <= w["alternative_delta"] + 1e-4
    # the term differences add up to the difference, and the household did move
    assert sum(w["terms_difference"].values()) == pytest.approx(w["difference_recomputed"], abs=1e-6)
    me = next(m for m in w["moved"] if m["household_id"] == hid)
    assert me["proposal"] == current and (me["what_if"] == z if z else me["what_if"] != current)


def test_re_optimising_is_cheaper_than_the_one_household_move(tmp_path):
    # the optimum fills every target (A 2 singles, B 1, C the 3-person H5 and a single): 0 points.
    # Fixing A's H1 to B: alone it costs A 1/2 short (50) + B 1 over its target 1 (100) = +150;
    # re-optimised, B's single moves to A instead: 0 points, and that household is listed.
    # (the linear quota form: its points are computed by hand above)
    cfg = _cfg(tmp_path, "w")
    cfg.variant = variant_toml(tmp_path / "linear.toml", W, quota_form="linear")
    record = run_what_if(cfg, "H1", B)
    w = record["what_if"]
    assert w["objective_proposal"] == pytest.approx(0.0, abs=1e-6)
    assert w["alternative_delta"] == pytest.approx(150.0)
    assert w["difference"] == pytest.approx(0.0, abs=1e-6)
    others = [m for m in w["moved"] if m["household_id"] != "H1"]
    assert len(others) == 1 and others[0]["proposal"] == B and others[0]["what_if"] == A
    moved = pd.read_csv(tmp_path / "w" / "moved.csv", dtype=str)
    assert sorted(moved["household_id"]) == sorted(m["household_id"] for m in w["moved"])
    assert json.loads((tmp_path / "w" / "run.json").read_text())["command"] == "what-if"


def test_cli_what_if_prints_the_difference_and_rejects_bad_questions(tmp_path):
    hh = tmp_path / "hh.csv"
    pd.DataFrame(ROWS).to_csv(hh, index=False)
    st = tmp_path / "st.csv"
    state_frame(LIVE).to_csv(st, index=False)
    v = variant_toml(tmp_path / "w.toml", W)
    base = ("--households", str(hh), "--state", str(st), "--variant", str(v))
    r = invoke("what-if", *base, "--household", "H1", "--gemeente", B.lower(), "--out", str(tmp_path / "o"))
    assert r.exit_code == 0, r.output
    assert "wat als: H1 vastzetten op GM0037" in r.stdout and "+0,00 punten (opnieuw geoptimaliseerd)" in r.stdout
    r = invoke("what-if", *base, "--household", "H1", "--gemeente", B, "--lang", "en", "--out", str(tmp_path / "e"))
    assert r.exit_code == 0, r.output
    assert "what if: fix H1 to GM0037" in r.stdout and "+0.00 points (re-optimised)" in r.stdout
    for args, words in ((("--household", "H9", "--gemeente", B), ["--household", "H9"]),
                        (("--household", "H1", "--gemeente", "GM9999"), ["--gemeente", "GM9999"]),
                        (("--household", "H1"), ["--gemeente", "exactly one"]),
                        (("--household", "H1", "--gemeente", B, "--forbid-current"), ["exactly one"]),
                        (("--household", "H1", "--gemeente", B, "--lang", "fr"), ["--lang", "fr"])):
        out = tmp_path / "bad"
        r = invoke("what-if", *base, *args, "--out", str(out))
        assert r.exit_code == 2 and all(x in r.stderr for x in words), r.output
        assert "Traceback" not in r.output and not out.exists()


def test_a_lock_overriding_a_hard_tie_is_said(tmp_path):
    rows = [household_row("H1", tie_work_gm=A)]
    cfg = ProposeConfig(households=pd.DataFrame(rows), state=state_frame(LIVE), out=tmp_path / "t",
                        variant=variant_toml(tmp_path / "w.toml", W), make_map=False, formats=("csv",))
    w = run_what_if(cfg, "H1", B)["what_if"]
    assert w["allowed_without_the_lock"] is False and w["alternative_delta"] is None
    with pytest.raises(InputError, match="already links"):
        run_what_if(cfg, "H1", A)
