"""Distribution keys reproduce hand-computed shares; integer fair shares are exact."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from optimizer.rules import keys


def frame() -> pd.DataFrame:
    """Three gemeenten, two provinces, round numbers."""
    return pd.DataFrame({
        "provincie_code": ["PV20", "PV20", "PV21"],
        "population_2024": [100, 200, 700],
        "income_per_inhabitant_keur": [10.0, 20.0, 10.0],
        "labour_participation_pct": [50.0, 80.0, 70.0],
        "ww_per_100_inhabitants": [1.0, 2.0, 1.0],
        "bijstand_per_1000_inhabitants": [10.0, 20.0, 30.0],
    }, index=pd.Index(["GM0001", "GM0002", "GM0003"], name="gm_code"))


def approx(series: pd.Series, values: list[float]) -> None:
    assert series.to_numpy() == pytest.approx(values, abs=1e-12)


def test_population_share():
    approx(keys.population_component(frame()), [0.1, 0.2, 0.7])


def test_economic_share_is_total_income():
    # 100*10, 200*20, 700*10 = 1000, 4000, 7000 of 12000
    approx(keys.economic_component(frame()), [1 / 12, 4 / 12, 7 / 12])


def test_labour_market_share():
    # 100*50, 200*80, 700*70 = 5000, 16000, 49000 of 70000
    approx(keys.labour_market_component(frame()), [5 / 70, 16 / 70, 49 / 70])


def test_unemployment_share_is_inverse():
    # rate u = ww + bijstand/10 = 2, 4, 4 per 100; u_bar = (100*2 + 200*4 + 700*4)/1000 = 3.8
    f = [1 / (1 + 2 / 3.8), 1 / (1 + 4 / 3.8), 1 / (1 + 4 / 3.8)]
    raw = [100 * f[0], 200 * f[1], 700 * f[2]]
    approx(keys.unemployment_component(frame()), [r / sum(raw) for r in raw])


def test_past_efforts_share():
    existing = pd.Series({"GM0001": 0, "GM0002": 20, "GM0003": 0})
    # r = 0, 0.1, 0 per inhabitant; r_bar = 20 / 1000 = 0.02; factors 1, 1/6, 1
    raw = [100.0, 200 / 6, 700.0]
    approx(keys.past_efforts_component(frame(), existing), [r / sum(raw) for r in raw])


def test_equal_rates_reduce_to_population():
    f = frame().assign(ww_per_100_inhabitants=2.0, bijstand_per_1000_inhabitants=10.0)
    approx(keys.unemployment_component(f), [0.1, 0.2, 0.7])
    existing = pd.Series({"GM0001": 1, "GM0002": 2, "GM0003": 7})
    approx(keys.past_efforts_component(f, existing), [0.1, 0.2, 0.7])


def test_named_keys_are_weighted_sums():
    f = frame()
    existing = pd.Series({"GM0001": 0, "GM0002": 20, "GM0003": 0})
    pop = np.array([0.1, 0.2, 0.7])
    econ = np.array([1, 4, 7]) / 12
    past = np.array([100.0, 200 / 6, 700.0]) / (800 + 200 / 6)
    u = keys.unemployment_component(f).to_numpy()
    lab = np.array([5, 16, 49]) / 70
    cases = {
        "population": pop,
        "eu2024": 0.5 * pop + 0.5 * econ,
        "eu2015": 0.4 * pop + 0.4 * econ + 0.1 * past + 0.1 * u,
        "sweden": 0.43 * lab + 0.37 * pop + 0.20 * past,
    }
    for name, expected in cases.items():
        share = keys.key_shares(f, keys.resolve_weights(name), existing=existing)
        assert share.sum() == pytest.approx(1.0)
        approx(share, list(expected))


def test_custom_key_and_spreidingswet_component():
    f = frame()
    indicative = pd.Series({"GM0001": 30, "GM0002": 10, "GM0003": 60})
    w = keys.resolve_weights("custom", {"spreidingswet": 0.5, "population": 0.5})
    approx(keys.key_shares(f, w, indicative=indicative), [0.5 * 0.3 + 0.05, 0.5 * 0.1 + 0.1, 0.5 * 0.6 + 0.35])


@pytest.mark.parametrize("key, weights, message", [
    ("nonsense", None, "unknown key 'nonsense'"),
    ("custom", {"population": 0.5, "economic": 0.4}, "must sum to 1"),
    ("custom", {"population": 1.2, "economic": -0.2}, ">= 0"),
    ("custom", {"population": 0.5, "gdp": 0.5}, "unknown key component"),
    ("custom", None, "needs weights"),
    ("eu2015", {"population": 1.0}, "fixed weights"),
])
def test_bad_keys_rejected(key, weights, message):
    with pytest.raises(ValueError, match=message):
        keys.resolve_weights(key, weights)


def test_largest_remainder_hand_cases():
    # Hamilton: quotas 1.5, 1.5, 1.0 of 4 -> floors 1, 1, 1, one left; tie on .5 -> larger quota
    # (equal) -> index order
    out = keys.largest_remainder(pd.Series([1.5, 1.5, 1.0], index=["a", "b", "c"]), 4)
    assert out.tolist() == [2, 1, 1]
    # classic: votes 5500, 2400, 2100 for 10 seats -> quotas 5.5, 2.4, 2.1 -> 6, 2, 2
    out = keys.largest_remainder(pd.Series([5500, 2400, 2100]), 10)
    assert out.tolist() == [6, 2, 2]
    # scaling: shares summing to 1 and total 7
    out = keys.largest_remainder(pd.Series([1 / 3, 1 / 3, 1 / 3]), 7)
    assert out.tolist() == [3, 2, 2] and out.sum() == 7
    assert keys.largest_remainder(pd.Series([0.2, 0.8]), 0).tolist() == [0, 0]


def test_fair_places_hierarchical_and_exact():
    f = frame()
    share = keys.key_shares(f, {"population": 1.0})
    totals = keys.provincial_totals_from_key(share, f["provincie_code"], 11)
    # quotas: PV20 0.3 * 11 = 3.3 -> 3, PV21 7.7 -> 8
    assert totals.to_dict() == {"PV20": 3, "PV21": 8}
    fair = keys.fair_places(share, f["provincie_code"], totals)
    # PV20: 3 places over 100:200 -> 1, 2; PV21: 8
    assert fair.tolist() == [1, 2, 8]
    assert fair.groupby(f["provincie_code"]).sum().to_dict() == totals.to_dict()


def test_fair_places_from_file_totals():
    f = frame()
    share = keys.key_shares(f, {"population": 1.0})
    fair = keys.fair_places(share, f["provincie_code"], pd.Series({"PV20": 10, "PV21": 5}))
    assert fair.tolist() == [3, 7, 5]  # 10 over 1:2 -> 3.33, 6.67 -> 3, 7


def test_full_dataset_keys_sum_to_total():
    from optimizer.data import dataset
    gem = dataset.load_gemeenten()
    existing = dataset.load_reception()
    for name in ("population", "eu2015", "eu2024", "sweden"):
        share = keys.key_shares(gem, keys.resolve_weights(name), existing=existing)
        assert len(share) == 342 and math.isclose(share.sum(), 1.0) and (share > 0).all()
        totals = keys.provincial_totals_from_key(share, gem["provincie_code"], 88_000)
        fair = keys.fair_places(share, gem["provincie_code"], totals)
        assert totals.sum() == 88_000 and fair.sum() == 88_000
        assert (fair.groupby(gem["provincie_code"]).sum() == totals).all()
        assert ((fair - share * 88_000).abs() < 40).all()  # hierarchical rounding stays close


def test_spreidingswet_file_key_if_available():
    from optimizer.core.paths import raw_dir
    from optimizer.data import dataset
    path = raw_dir() / "spreidingswet_coa_capaciteit_per_gemeente_2025-11.csv"
    if not path.exists():
        pytest.skip("raw Spreidingswet file not available")
    sw = dataset.load_spreidingswet(path)
    gem = dataset.load_gemeenten()
    share = keys.key_shares(gem, {"spreidingswet": 1.0}, indicative=sw["indicative_places"])
    assert share.sum() == pytest.approx(1.0)
    assert (share * 88_000).to_numpy() == pytest.approx(sw["indicative_places"].reindex(gem.index).to_numpy(), abs=1e-6)
