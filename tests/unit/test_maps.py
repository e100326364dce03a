"""map.png of a proposal: drawn with boundaries, skipped (and said so) without."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from optimizer.data import geo
from optimizer.data.synthetic import generate_households
from optimizer.koppeling.run import ProposeConfig, run_propose
from optimizer.rules.state import build_state

DAY = date(2025, 8, 4)


def _run(tmp_path, **kw):
    hh = generate_households(30, 4, as_of=DAY)
    state = build_state("2025-H2", DAY)
    return run_propose(ProposeConfig(households=hh, state=state, out=tmp_path / "run",
                                     formats=("csv",), **kw))


def test_no_map_when_switched_off(tmp_path):
    record = _run(tmp_path, make_map=False)
    assert record["map"] is None
    assert not (tmp_path / "run" / "map.png").exists()


def test_no_boundaries_means_no_map_and_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("SPREIDING_RAW", str(tmp_path / "no-raw-data"))
    assert geo.default_boundaries_path() is None
    record = _run(tmp_path)
    assert record["map"] is None
    assert not (tmp_path / "run" / "map.png").exists()
    assert any("map.png not drawn" in n for n in record["notes"])


@pytest.mark.skipif(geo.default_boundaries_path() is None, reason="raw PDOK boundaries not present")
def test_map_is_drawn_with_boundaries(tmp_path):
    pytest.importorskip("geopandas")
    record = _run(tmp_path)
    png = tmp_path / "run" / "map.png"
    assert record["map"] == "map.png" and png.exists()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    gem = pd.read_csv(tmp_path / "run" / "gemeenten.csv")
    assert len(gem) == 342
