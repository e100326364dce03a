"""Gemeente boundaries (optional): maps degrade gracefully when they are absent.

The boundary geometry is *not* part of the embedded dataset (``data/``). The default is the
generalised PDOK boundary file of the raw folder (``gemeenten_2024_gegeneraliseerd_pdok.geojson``,
CBS Gebiedsindelingen 2024, "Bron: CBS, PDOK", CC BY 4.0), valid for the 2024 and 2025
division (342 gemeenten). Any GeoJSON or GeoPackage with a ``statcode`` or ``gm_code`` column
can be given instead.

Everything that needs geometry must accept ``None`` from :func:`load_boundaries`: no file, or
``geopandas`` not installed, gives ``None`` and a logged warning, never an exception. A path
that *is* given but does not exist, cannot be read or lacks a code column raises
:class:`~optimizer.core.errors.InputError`.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.core.errors import InputError, Violation
from optimizer.core.paths import raw_dir

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

log = logging.getLogger(__name__)

DEFAULT_BOUNDARIES_FILE = "gemeenten_2024_gegeneraliseerd_pdok.geojson"
BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg")
CODE_COLUMNS = ("statcode", "gm_code")


def default_boundaries_path() -> Path | None:
    """The raw PDOK boundary file if it is present, else ``None``."""
    path = raw_dir() / DEFAULT_BOUNDARIES_FILE
    return path if path.is_file() else None


def load_boundaries(path: str | Path | None = None) -> geopandas.GeoDataFrame | None:
    """Gemeente polygons indexed by ``gm_code`` (sorted), CRS WGS84 (EPSG:4326).

    ``path=None`` uses :func:`default_boundaries_path`; if there is none, or geopandas is not
    installed, a warning is logged and ``None`` returned. The code column is ``statcode``
    (PDOK) or ``gm_code``; other attribute columns are kept. Codes that are not unique raise
    :class:`InputError`; codes that differ from the dataset's gemeenten are logged.
    """
    if path is None:
        default = default_boundaries_path()
        if default is None:
            log.warning("no gemeente boundary file found (looked for %s); maps are skipped",
                        raw_dir() / DEFAULT_BOUNDARIES_FILE)
            return None
        path = default
    else:
        path = Path(path)
        if not path.is_file():
            raise InputError(Violation(str(path), "boundary file not found"))
        if path.suffix.lower() not in BOUNDARY_SUFFIXES:
            raise InputError(Violation(str(path), f"unsupported boundary file type {path.suffix!r}; "
                                       f"expected one of {', '.join(BOUNDARY_SUFFIXES)}"))
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
