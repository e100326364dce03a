"""Tests of optimizer.data.geo: the embedded boundaries (no GIS stack needed), user files, and
degrading to None when no boundary file exists at all."""

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
    monkeypatch.setenv("SPREIDING_DATA", str(tmp_path))
    assert geo.default_boundaries_path() is None
    with caplog.at_level(logging.WARNING, logger="optimizer.data.geo"):
        assert geo.load_boundaries() is None
        assert geo.load_shapes() is None
    assert "no gemeente boundary file" in caplog.text


def test_embedded_boundaries_are_the_default_and_need_no_geopandas(monkeypatch, tmp_path):
    monkeypatch.setenv("SPREIDING_RAW", str(tmp_path))
    monkeypatch.setitem(sys.modules, "geopandas", None)
    shapes = geo.load_shapes()
    assert list(shapes.gemeenten) == gemeente_codes()
    assert len(shapes.provinces) == 12 and shapes.names["PV20"] == "Groningen"
    assert shapes.names["GM0014"] == "Groningen" and "Bron: CBS, PDOK" in shapes.source
    assert all(rings for rings in shapes.gemeenten.values())
    lon0, lat0, lon1, lat1 = shapes.bounds()
    assert 3.3 < lon0 < 3.5 and 7.1 < lon1 < 7.3 and 50.7 < lat0 < 50.8 and 53.4 < lat1 < 53.6


def test_embedded_borders_are_shared():
    """Simplified as one coverage: most vertices lie on a border two gemeenten share (each
    gemeente simplified alone would share almost none but the corners)."""
    from collections import Counter

    count: Counter = Counter()
    for rings in geo.load_shapes().gemeenten.values():
        count.update({tuple(p) for r in rings for p in r})
    assert sum(v >= 2 for v in count.values()) / len(count) > 0.5


def test_embedded_file_is_small():
    assert geo.embedded_boundaries_path().stat().st_size < 600_000


def test_user_geojson_is_read_without_geopandas(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "geopandas", None)
    path = _geojson(tmp_path, [{"statcode": "GM0014", "statnaam": "Groningen"}, {"gm_code": "GM0034"}])
    shapes = geo.load_shapes(path)
    assert list(shapes.gemeenten) == ["GM0014", "GM0034"] and shapes.names["GM0014"] == "Groningen"
    assert shapes.provinces == {}


@pytest.mark.parametrize(("props", "coords", "match"), [
    ([{"naam": "x"}], None, "without a code"),
    ([{"gm_code": "GM0014"}, {"gm_code": "GM0014"}], None, "duplicate"),
    ([{"gm_code": "GM0014"}], 155000.0, "not lon/lat"),
])
def test_bad_user_geojson_is_an_input_error(tmp_path, props, coords, match):
    path = _geojson(tmp_path, props)
    if coords is not None:  # RD metres instead of lon/lat
        doc = json.loads(path.read_text())
        doc["features"][0]["geometry"] = _square(coords, coords)
        path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=match):
        geo.load_shapes(path)


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
    gdf = geo.load_boundaries(RAW_GEOJSON)
    assert len(gdf) == 342
    embedded = geo.load_boundaries()  # through geopandas too: gemeenten only, no province rows
    assert list(embedded.index) == gemeente_codes()
    assert list(gdf.index) == gemeente_codes()
    assert gdf.geometry.notna().all() and not gdf.geometry.is_empty.any()
    assert gdf.crs.to_epsg() == 4326


def test_user_geopackage_becomes_shapes(tmp_path):
    gpd = pytest.importorskip("geopandas")
    path = _geojson(tmp_path, [{"gm_code": "GM0034"}, {"gm_code": "GM0014"}])
    gpkg = tmp_path / "b.gpkg"
    gpd.read_file(path).to_file(gpkg, driver="GPKG")
    shapes = geo.load_shapes(gpkg)
    assert list(shapes.gemeenten) == ["GM0014", "GM0034"]
    ring = shapes.gemeenten["GM0014"][0]
    assert ring.shape == (5, 2) and ring[:, 0].min() == pytest.approx(5.2)  # GM0014 was the second square
