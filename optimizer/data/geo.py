"""Gemeente and province boundaries for maps: embedded in ``data/``, so maps work everywhere.

The default is ``data/boundaries.geojson`` (:data:`EMBEDDED_BOUNDARIES_FILE`), built by
``scripts/build_dataset.py`` from the generalised PDOK boundary file of the raw folder (CBS
Gebiedsindelingen 2024, "Bron: CBS, PDOK", CC BY 4.0, valid for the 2024 and 2025 division of
342 gemeenten): the gemeenten simplified as one coverage (shared borders stay shared) and the 12
province outlines dissolved from them, lon/lat (WGS84) with 4 decimals.

:func:`load_shapes` reads it (or a user's GeoJSON) with the standard library into
:class:`Shapes`: rings per gemeente and per province, nothing more; no GIS stack is needed to
draw a map. A GeoPackage, or :func:`load_boundaries` (a GeoDataFrame), needs geopandas.

A path that *is* given but does not exist, cannot be read or lacks a code column raises
:class:`~optimizer.core.errors.InputError`. Any GeoJSON or GeoPackage with a ``statcode`` or
``gm_code`` column can be given instead of the embedded file.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.core.errors import InputError, Violation
from optimizer.core.paths import data_dir, raw_dir

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

log = logging.getLogger(__name__)

#: The raw PDOK file the embedded boundaries are built from (``scripts/build_dataset.py``).
DEFAULT_BOUNDARIES_FILE = "gemeenten_2024_gegeneraliseerd_pdok.geojson"
#: The simplified boundaries in ``data/`` (gemeenten and provinces).
EMBEDDED_BOUNDARIES_FILE = "boundaries.geojson"
#: Shown on every map.
ATTRIBUTION = "Bron: CBS, PDOK"
BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg")
CODE_COLUMNS = ("statcode", "gm_code")
#: Maps use a plate carree projection with x scaled by cos(52.2 deg), the latitude of the
#: Netherlands' centre: at that scale the country looks as on an RD map.
X_SCALE = math.cos(math.radians(52.2))


def embedded_boundaries_path() -> Path:
    """``data/boundaries.geojson`` (``SPREIDING_DATA`` moves ``data/``)."""
    return data_dir() / EMBEDDED_BOUNDARIES_FILE


def default_boundaries_path() -> Path | None:
    """The embedded boundary file, or (if a custom ``SPREIDING_DATA`` lacks it) the raw PDOK
    file; ``None`` if neither is present."""
    for path in (embedded_boundaries_path(), raw_dir() / DEFAULT_BOUNDARIES_FILE):
        if path.is_file():
            return path
    return None


@dataclass(frozen=True, eq=False)  # hashed by identity: loaded once, cached per file
class Shapes:
    """Polygons for drawing: per code a list of closed rings, each an ``(n, 2)`` array of
    lon/lat (exteriors and holes alike: fill with the even-odd rule)."""

    gemeenten: dict[str, list[np.ndarray]]
    provinces: dict[str, list[np.ndarray]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # gm_code or provincie_code -> name
    source: str = ""

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the gemeenten."""
        pts = np.concatenate([r for rings in self.gemeenten.values() for r in rings])
        return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())


def load_shapes(path: str | Path | None = None) -> Shapes | None:
    """Rings per gemeente (and province, when the file has ``kind = provincie`` features).

    ``path=None``: the embedded file (:func:`default_boundaries_path`); ``None`` with a logged
    warning only if no boundary file is present at all. A GeoJSON is read with the standard
    library; a GeoPackage through geopandas (:func:`load_boundaries`).
    """
    if path is None:
        path = default_boundaries_path()
        if path is None:
            log.warning("no gemeente boundary file found (looked for %s); maps are skipped", embedded_boundaries_path())
            return None
    path = _check_path(path)
    if path.suffix.lower() == ".gpkg":
        gdf = load_boundaries(path)
        return None if gdf is None else _shapes_from_frame(gdf, str(path))
    return _shapes_cached(str(path.resolve()), path.stat().st_mtime_ns)


def _check_path(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(Violation(str(path), "boundary file not found"))
    if path.suffix.lower() not in BOUNDARY_SUFFIXES:
        raise InputError(Violation(str(path), f"unsupported boundary file type {path.suffix!r}; "
                                   f"expected one of {', '.join(BOUNDARY_SUFFIXES)}"))
    return path


def _rings(geometry: dict | None) -> list[np.ndarray]:
    """The rings of a GeoJSON Polygon or MultiPolygon (others: none)."""
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [np.asarray(ring, dtype=float)[:, :2] for poly in polygons for ring in poly if len(ring) >= 3]


@functools.lru_cache(maxsize=4)
def _shapes_cached(path: str, _mtime: int) -> Shapes:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        features = doc["features"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InputError(Violation(path, f"could not be read as GeoJSON: {exc}")) from None
    gemeenten: dict[str, list[np.ndarray]] = {}
    provinces: dict[str, list[np.ndarray]] = {}
    names: dict[str, str] = {}
    problems: list[Violation] = []
    for i, f in enumerate(features, start=1):
        props = f.get("properties") or {}
        if props.get("kind") == "provincie" and "provincie_code" in props:
            provinces[str(props["provincie_code"])] = _rings(f.get("geometry"))
            names[str(props["provincie_code"])] = str(props.get("provincie", ""))
            continue
        code = next((str(props[c]).strip() for c in CODE_COLUMNS if c in props), None)
        if code is None:
            problems.append(Violation(path, f"feature without a code property ({' or '.join(CODE_COLUMNS)})", row=i))
        elif code in gemeenten:
            problems.append(Violation(path, "duplicate gemeente code in boundary file", row=i, value=code))
        else:
            gemeenten[code] = _rings(f.get("geometry"))
            names[code] = str(props.get("gm_naam", props.get("statnaam", "")))
    if problems:
        raise InputError(problems)
    _check_lonlat(path, gemeenten)
    _compare_with_dataset(path, list(gemeenten))
    return Shapes(dict(sorted(gemeenten.items())), dict(sorted(provinces.items())), names,
                  str(doc.get("attribution", ATTRIBUTION)))


def _check_lonlat(path: str, rings: dict[str, list[np.ndarray]]) -> None:
    """GeoJSON is lon/lat (RFC 7946): coordinates outside [-180, 180] x [-90, 90] are refused."""
    for code, rs in rings.items():
        for r in rs:
            if np.abs(r[:, 0]).max() > 180 or np.abs(r[:, 1]).max() > 90:
                raise InputError(Violation(path, "coordinates are not lon/lat (WGS84), as GeoJSON requires",
                                           value=code))


def _shapes_from_frame(gdf: Any, source: str) -> Shapes:
    """:class:`Shapes` of a GeoDataFrame from :func:`load_boundaries`."""
    gemeenten = {}
    for code, geom in zip(gdf.index, gdf.geometry):
        gemeenten[str(code)] = _rings(geom.__geo_interface__ if geom is not None else None)
    return Shapes(gemeenten, source=source)


def project(ring: np.ndarray) -> np.ndarray:
    """lon/lat -> map coordinates (x east, y north), see :data:`X_SCALE`."""
    return np.column_stack([ring[:, 0] * X_SCALE, ring[:, 1]])


def load_boundaries(path: str | Path | None = None) -> geopandas.GeoDataFrame | None:
    """Gemeente polygons indexed by ``gm_code`` (sorted), CRS WGS84 (EPSG:4326), as a GeoDataFrame.

    ``path=None`` uses :func:`default_boundaries_path` (province features of the embedded file
    are left out); if there is none, or geopandas is not
    installed, a warning is logged and ``None`` returned. The code column is ``statcode``
    (PDOK) or ``gm_code``; other attribute columns are kept. Codes that are not unique raise
    :class:`InputError`; codes that differ from the dataset's gemeenten are logged.
    """
    if path is None:
        default = default_boundaries_path()
        if default is None:
            log.warning("no gemeente boundary file found (looked for %s); maps are skipped",
                        embedded_boundaries_path())
            return None
        path = default
    else:
        path = _check_path(path)
    try:
        import geopandas  # noqa: F401  (optional dependency: extra "geo")
    except ImportError:
        log.warning("geopandas is not installed (pip install 'spreiding[geo]'); maps are skipped")
        return None
    gdf = _read_cached(str(Path(path).resolve()), Path(path).stat().st_mtime_ns)
    return gdf.copy()


@functools.lru_cache(maxsize=4)
def _read_cached(path: str, _mtime: int) -> Any:
    import geopandas

    try:
        gdf = geopandas.read_file(path)
    except Exception as exc:  # any driver error becomes an input error
        raise InputError(Violation(path, f"could not be read as GeoJSON/GeoPackage: {exc}")) from None
    if "kind" in gdf.columns:  # the embedded file: gemeenten only
        gdf = gdf[gdf["kind"].ne("provincie")].drop(columns="kind")
    column = next((c for c in CODE_COLUMNS if c in gdf.columns), None)
    if column is None:
        raise InputError(Violation(path, f"boundary file needs a code column named "
                                   f"{' or '.join(CODE_COLUMNS)} (columns found: {', '.join(map(str, gdf.columns))})"))
    codes = gdf[column].astype(str).str.strip()
    dup = sorted(set(codes[codes.duplicated()]))
    if dup:
        raise InputError([Violation(path, "duplicate gemeente code in boundary file", column=column, value=c)
                          for c in dup])
    gdf = gdf.drop(columns=[c for c in CODE_COLUMNS if c in gdf.columns])
    gdf.index = codes.rename("gm_code").to_numpy()
    gdf.index.name = "gm_code"
    if gdf.crs is None:
        log.warning("%s has no CRS; assuming WGS84 lon/lat (EPSG:4326)", path)
        gdf = gdf.set_crs(4326)
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    gdf = gdf.sort_index()
    _compare_with_dataset(path, list(gdf.index))
    return gdf


def _compare_with_dataset(path: str, codes: list[str]) -> None:
    """Log (not raise) when the boundary codes and the dataset's gemeenten differ."""
    try:
        from optimizer.data.dataset import gemeente_codes

        known = set(gemeente_codes())
    except Exception:  # dataset unavailable: nothing to compare with
        return
    missing, extra = sorted(known - set(codes)), sorted(set(codes) - known)
    if missing or extra:
        log.warning("%s: %d gemeenten without geometry (%s), %d codes not in the dataset (%s)",
                    path, len(missing), ", ".join(missing[:5]), len(extra), ", ".join(extra[:5]))
