"""map.png of a proposal (on request, ``make_map`` / ``--map``: report.html has the same map as
SVG; the boundaries are embedded) and the colour classes of the report's maps."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from optimizer.data import geo
from optimizer.data.synthetic import generate_households
from optimizer.koppeling.run import ProposeConfig, run_propose
from optimizer.report import maps
from optimizer.rules.state import build_state

DAY = date(2025, 8, 4)


def _run(tmp_path, **kw):
    hh = generate_households(30, 4, as_of=DAY)
    state = build_state("2025-H2", DAY)
    return run_propose(ProposeConfig(households=hh, state=state, out=tmp_path / "run",
                                     formats=("csv",), report=False, **kw))


def test_no_map_when_switched_off(tmp_path):
    record = _run(tmp_path, make_map=False)
    assert record["map"] is None
    assert not (tmp_path / "run" / "map.png").exists()


def test_no_map_png_by_default(tmp_path):
    """map.png is drawn on request only (issue 13: 1-2 s of a weekly command)."""
    record = _run(tmp_path)
    assert record["map"] is None and not (tmp_path / "run" / "map.png").exists()


def test_map_is_drawn_without_raw_data_or_geopandas(tmp_path, monkeypatch):
    """A fresh machine: no raw folder, no geopandas; the embedded boundaries draw the map."""
    import sys

    monkeypatch.setenv("SPREIDING_RAW", str(tmp_path / "no-raw-data"))
    monkeypatch.setitem(sys.modules, "geopandas", None)
    assert geo.default_boundaries_path() == geo.embedded_boundaries_path()
    record = _run(tmp_path, make_map=True)
    png = tmp_path / "run" / "map.png"
    assert record["map"] == "map.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not any("map.png not drawn" in n for n in record["notes"])
    assert len(pd.read_csv(tmp_path / "run" / "gemeenten.csv")) == 342


def test_no_boundaries_at_all_means_no_map_and_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("SPREIDING_RAW", str(tmp_path / "no-raw-data"))
    monkeypatch.setattr(geo, "embedded_boundaries_path", lambda: tmp_path / "none.geojson")
    assert geo.default_boundaries_path() is None
    record = _run(tmp_path, make_map=True)
    assert record["map"] is None and any("map.png not drawn" in n for n in record["notes"])


@pytest.mark.parametrize(("x", "nice"), [(0.7, 1), (1.0, 1), (1.1, 2), (2.2, 2.5), (3, 5), (7, 10), (0.03, 0.05),
                                         (0, 1)])
def test_nice_ceiling(x, nice):
    assert maps.nice_ceiling(x) == pytest.approx(nice)


def test_diverging_classes_by_hand():
    """Largest |value| 3 -> step nice(3/3) = 1: classes [-3,-2) [-2,-1) [-1,0) {0} (0,1) [1,2) [2,3]."""
    v = pd.Series({"a": -3.0, "b": -0.5, "c": 0.0, "d": 0.5, "e": 1.5, "f": 3.0, "g": np.nan})
    c = maps.classify(v, "diverging", "nl")
    d = maps.DIVERGING
    assert c.fill.tolist() == [d[0], d[2], d[3], d[4], d[5], d[6], maps.MISSING]
    assert [e.label for e in c.legend] == ["-3 tot -2", "-2 tot -1", "-1 tot 0", "0", "0 tot 1", "1 tot 2", "2 tot 3"]
    assert c.labels["e"] == "1,50" and c.labels["g"] == "geen gegevens"
    assert maps.classify(v, "diverging", "en").labels["e"] == "1.50"


def test_diverging_sides_have_their_own_class_width():
    """Shortfalls down to -1 (width nice(1/3) = 0.5), excesses up to 5 (width nice(5/3) = 2)."""
    v = pd.Series({"a": -1.0, "b": -0.2, "c": 0.0, "d": 1.0, "e": 5.0})
    c = maps.classify(v, "diverging", "en")
    d = maps.DIVERGING
    assert c.fill.tolist() == [d[1], d[2], d[3], d[4], d[6]]
    assert [e.label for e in c.legend] == ["-1.5 to -1.0", "-1.0 to -0.5", "-0.5 to 0.0", "0", "0.0 to 2.0",
                                           "2.0 to 4.0", "4.0 to 6.0"]


def test_sequential_classes_by_hand():
    """Values 0..9 -> step nice(9/5) = 2: classes [0,2) [2,4) [4,6) [6,8) [8,10]."""
    v = pd.Series({"a": 0.0, "b": 1.99, "c": 2.0, "d": 9.0})
    c = maps.classify(v, "sequential", "en")
    s = maps.SEQUENTIAL
    assert c.fill.tolist() == [s[0], s[0], s[1], s[4]]
    assert c.legend[-1].label == "8 to 10"


def test_stoplicht_three_colours():
    v = pd.Series({"a": "green", "b": "orange", "c": "red", "d": "blue"})
    c = maps.classify(v, "stoplicht", "nl")
    assert c.fill.tolist() == ["#1a9850", "#f39c12", "#d73027", maps.MISSING]
    assert [e.label for e in c.legend] == ["voldoet", "voldoet niet, doch verschoonbaar", "voldoet niet"]


def test_svg_path_is_exact_relative_steps():
    ring = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    d = maps._path([ring], origin=(0.0, 1.0), k=10 / geo.X_SCALE)
    # x scaled by X_SCALE then by k: 1 lon -> 10; y flipped: lat 1 -> 0, lat 0 -> 10 * X_SCALE^-1
    assert d.startswith("M0 16l10 0 0 -16") and d.endswith("z")
