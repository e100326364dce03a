"""Tests of optimizer.data.geo: boundaries load when present and degrade to None when not."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from optimizer.core.errors import InputError
from optimizer.data import geo
from optimizer.data.dataset import gemeente_codes

RAW_GEOJSON = geo.raw_dir() / geo.DEFAULT_BOUNDARIES_FILE


def _square(x: float, y: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]]}


def _geojson(tmp_path, props: list[dict], name: str = "b.geojson"):
    features = [{"type": "Feature", "properties": p, "geometry": _square(5 + i * 0.2, 52)}
                for i, p in enumerate(props)]
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_no_default_file_returns_none_with_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("SPREIDING_RAW", str(tmp_path))
    assert geo.default_boundaries_path() is None
    with caplog.at_level(logging.WARNING, logger="optimizer.data.geo"):
        assert geo.load_boundaries() is None
    assert "no gemeente boundary file" in caplog.text


def test_geopandas_missing_returns_none(tmp_path, monkeypatch, caplog):
    path = _geojson(tmp_path, [{"statcode": "GM0014"}])
    monkeypatch.setitem(sys.modules, "geopandas", None)  # import geopandas -> ImportError
    with caplog.at_level(logging.WARNING, logger="optimizer.data.geo"):
        assert geo.load_boundaries(path) is None
    assert "geopandas" in caplog.text


def test_given_path_missing_raises(tmp_path):
    with pytest.raises(InputError, match="not found"):
        geo.load_boundaries(tmp_path / "nope.geojson")


def test_unsupported_suffix_raises(tmp_path):
    path = tmp_path / "b.shp.zip"
    path.write_bytes(b"x")
    with pytest.raises(InputError, match="unsupported"):
        geo.load_boundaries(path)


def test_file_without_code_column_raises(tmp_path):
    pytest.importorskip("geopandas")
    path = _geojson(tmp_path, [{"naam": "Groningen"}])
    with pytest.raises(InputError, match="statcode or gm_code"):
        geo.load_boundaries(path)


def test_duplicate_codes_raise(tmp_path):
    pytest.importorskip("geopandas")
    path = _geojson(tmp_path, [{"gm_code": "GM0014"}, {"gm_code": "GM0014"}])
    with pytest.raises(InputError, match="duplicate"):
        geo.load_boundaries(path)


def test_geojson_and_geopackage_with_gm_code(tmp_path):
    gpd = pytest.importorskip("geopandas")
    path = _geojson(tmp_path, [{"gm_code": "GM0034", "naam": "Almere"}, {"gm_code": "GM0014", "naam": "Groningen"}])
    gdf = geo.load_boundaries(path)
    assert list(gdf.index) == ["GM0014", "GM0034"] and gdf.index.name == "gm_code"
    assert gdf.crs.to_epsg() == 4326 and "naam" in gdf.columns
    gpkg = tmp_path / "b.gpkg"
    gpd.read_file(path).to_file(gpkg, driver="GPKG")
    again = geo.load_boundaries(gpkg)
    assert list(again.index) == ["GM0014", "GM0034"]
    assert again.geometry.geom_equals(gdf.geometry).all()


def test_result_is_a_copy(tmp_path):
    pytest.importorskip("geopandas")
    path = _geojson(tmp_path, [{"statcode": "GM0014"}])
    first = geo.load_boundaries(path)
    first["extra"] = 1
    assert "extra" not in geo.load_boundaries(path).columns


@pytest.mark.skipif(not RAW_GEOJSON.exists(), reason="raw PDOK boundary file not present")
def test_raw_pdok_boundaries_342_geometries():
    pytest.importorskip("geopandas")
    assert geo.default_boundaries_path() == RAW_GEOJSON
    gdf = geo.load_boundaries()
    assert len(gdf) == 342
    assert list(gdf.index) == gemeente_codes()
    assert gdf.geometry.notna().all() and not gdf.geometry.is_empty.any()
    assert gdf.crs.to_epsg() == 4326
