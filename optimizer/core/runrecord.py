"""Run records (``run.json``): what went in, what the solver did, what came out.

Every run records the SHA-256 of each input file and of the embedded dataset, the variant
(name, file hash, weights), the solver and its version, status, objective, bound, gap and
timings. Household data never appears in a run record (IDs only elsewhere, never names).
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

import optimizer
from optimizer.data import dataset


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file (hex)."""
    return dataset.file_sha256(path)


def inputs_record(paths: dict[str, str | Path | None]) -> dict[str, Any]:
    """name -> {path, sha256} for each given input file (None = not given / embedded default)."""
    out: dict[str, Any] = {}
    for name, p in paths.items():
        if p is None:
            out[name] = None
        else:
            out[name] = {"path": str(p), "sha256": sha256_file(p)}
    return out


def base_record(command: str) -> dict[str, Any]:
    """Fields common to every run record."""
    import highspy
    import pandas
    import pyomo

    return {
        "engine": "spreiding",
        "engine_version": optimizer.__version__,
        "command": command,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "packages": {"pyomo": pyomo.version.version, "highspy": highspy.Highs().version(), "pandas": pandas.__version__},
        "dataset_sha256": dataset.dataset_hashes(),
        "privacy": "household IDs only; no names or personal details are written to outputs or logs",
    }


def _default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.bool_,)):
        return bool(o)
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "isoformat"):
        return o.isoformat()
    if hasattr(o, "value"):
        return o.value
    raise TypeError(f"not JSON serialisable: {type(o)}")


def write_json(path: str | Path, data: dict[str, Any]) -> Path:
    path = Path(path)
    path.write_text(json.dumps(data, indent=2, default=_default, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
