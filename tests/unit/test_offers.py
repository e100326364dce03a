"""Dwelling offers from the obligation (issue 12): hand-computed counts, the size mix from the
gemeente's own stock, the lettings model kept, the user file still wins, bad choice exits 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.cli import invoke, read_csv

from optimizer.core.errors import InputError
from optimizer.data import dataset
from optimizer.rules.dwellings import DWELLING_COLUMNS
from optimizer.rules.offers import OBLIGATION_OFFERS, class_mix, obligation_offers, split_by_largest_remainder
from optimizer.rules.state import build_state

COLS = list(DWELLING_COLUMNS)


def stock(rows: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """gemeenten rows: multi_family_pct, single_family_pct, avg_household_size."""
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["multi_family_pct", "single_family_pct", "avg_household_size"])


def test_counts_by_hand():
    # T 20 -> 10 dwellings needed; pressure 0: ceil(1.15 x 10) = 12; pressure 1: 10; pressure 0.5:
    # ceil(1.075 x 10) = 11; T 1 -> ceil(1.15 x 0.5) = 1; T 0 -> 0.
    target = pd.Series([20.0, 20.0, 20.0, 1.0, 0.0], index=list("abcde"))
    pressure = pd.Series([0.0, 1.0, 0.5, 0.0, 0.3], index=list("abcde"))
    gem = stock({g: (50.0, 50.0, 2.2) for g in "abcde"})
    out = obligation_offers(target, pressure, gem)
    assert out.sum(axis=1).tolist() == [12, 10, 11, 1, 0]
    # equal stock everywhere: the national mix (9/30/36/22/3 %) by largest remainders:
    # 12 x share = 1.08, 3.6, 4.32, 2.64, 0.36 -> floors 1, 3, 4, 2, 0 and two more for the
    # largest remainders (3.6 -> 4, 2.64 -> 3)
    assert out.loc["a", COLS].tolist() == [1, 4, 4, 3, 0]


def test_size_mix_follows_the_own_stock():
    gem = stock({"flats": (90.0, 10.0, 1.8), "houses": (10.0, 90.0, 2.8)})
    mix = class_mix(gem, np.array([1.0, 1.0]))
    assert mix.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert mix[0, 0] > OBLIGATION_OFFERS.class_shares[0] > mix[1, 0]  # more small dwellings in flats
    assert mix[1, 3] > OBLIGATION_OFFERS.class_shares[3] > mix[0, 3]  # more large ones among houses


def test_largest_remainder_sums_to_the_total():
    share = np.array([[0.09, 0.30, 0.36, 0.22, 0.03]] * 4)
    total = np.array([0, 1, 7, 33])
    out = split_by_largest_remainder(total, share)
    assert out.sum(axis=1).tolist() == [0, 1, 7, 33]
    assert out[1].tolist() == [0, 0, 1, 0, 0]  # one dwelling: the largest share (class 3)


def test_state_uses_the_obligation_by_default_and_keeps_lettings():
    st = build_state("2025-H1", whole_period=True)
    assert st.attrs["offer_model"] == "obligation"
    offered = st[COLS].sum(axis=1)
    assert ((st["target"] > 0) <= (offered > 0)).all()  # every gemeente with a target offers something
    lettings = build_state("2025-H1", whole_period=True, offer_model="lettings")
    assert lettings.attrs["offer_model"] == "lettings"
    housing = dataset.load_housing().reindex(lettings["gm_code"])
    assert (lettings[COLS].to_numpy() == housing[COLS].to_numpy()).all()
    assert (lettings[COLS].sum(axis=1) == 0).sum() == 7  # the seven gemeenten of issue 12


def test_user_housing_file_wins(tmp_path):
    housing = dataset.load_housing().reset_index()
    housing[COLS] = 2
    path = tmp_path / "housing.csv"
    housing.to_csv(path, index=False)
    st = build_state("2025-H1", whole_period=True, housing_path=path)
    assert st.attrs["offer_model"] == "file" and (st[COLS] == 2).all().all()


def test_data_describes_the_default_offer_model():
    offers = dataset.describe()["modelled"]["dwelling_offers"]
    assert offers["default_model"] == "obligation" and "realisation 1.15" in offers["source"]


def test_unknown_offer_model():
    with pytest.raises(InputError, match="--offer-model"):
        build_state("2025-H1", whole_period=True, offer_model="guess")  # type: ignore[arg-type]


def test_cli_offer_model(tmp_path):
    out = tmp_path / "state.csv"
    bad = invoke("state", "--period", "2025-H1", "--whole-period", "--offer-model", "guess", "--out", str(out))
    assert bad.exit_code == 2 and "--offer-model" in bad.output and not out.exists()
    ok = invoke("state", "--period", "2025-H1", "--whole-period", "--offer-model", "lettings", "--out", str(out),
                "--quiet")
    assert ok.exit_code == 0, ok.output
    rows = {r["gm_code"]: r for r in read_csv(out)}
    assert sum(int(rows[g][c]) for g in rows for c in COLS) == int(dataset.load_housing()[COLS].to_numpy().sum())
