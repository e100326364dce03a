"""Run records (``run.json``): what went in, what the solver did, what came out.

One record shape for every command (:class:`RunRecord`): the engine and package versions, the
SHA-256 of each input file and of the embedded dataset, the variant (name, file, hash,
settings), the solver and its version, status, objective, bound and gap **as the solver gave
them**, timings and notes. Each problem adds its own sections (terms, household counts,
summaries) as extra fields. Household data never appears in a run record (IDs only elsewhere,
never names).

:func:`write_json` is the one JSON writer of the engine (run records, comparison records):
numpy scalars and arrays become plain numbers and lists, paths and dates text, non-finite
floats ``null`` (JSON has no NaN).
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

PRIVACY = "household IDs only; no names or personal details are written to outputs or logs"


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class InputFile(BaseModel):
    """One input file of a run: where it was and the SHA-256 of its bytes."""

    path: str
    sha256: str

    @classmethod
    def of(cls, path: str | Path, relative_to: Path | None = None) -> InputFile:
        shown = Path(path).relative_to(relative_to) if relative_to is not None else Path(path)
        return cls(path=str(shown), sha256=sha256_file(path))


def inputs_record(paths: dict[str, Any], relative_to: Path | None = None) -> dict[str, InputFile | None]:
    """name -> :class:`InputFile` for each input given as a path; ``None`` for an input not
    given (embedded default) or given as an in-memory table."""
    return {name: InputFile.of(p, relative_to) if isinstance(p, (str, Path)) else None for name, p in paths.items()}


def package_versions() -> dict[str, str]:
    """Versions of the packages that decide a result: Pyomo, HiGHS (highspy), pandas."""
    from importlib.metadata import version

    return {name: version(name) for name in ("pyomo", "highspy", "pandas")}


def _engine_version() -> str:
    import optimizer

    return optimizer.__version__


def _dataset_hashes() -> dict[str, str]:
    from optimizer.data import dataset

    return dataset.dataset_hashes()


class RunRecord(BaseModel):
    """The record of one run, written as ``run.json`` next to the outputs.

    ``status``, ``objective``, ``bound`` and ``gap`` are the solver's own (HiGHS: model status
    mapped to :class:`optimizer.solve.highs.Status`, objective value, best bound, relative
    gap); a problem that re-computes its objective from its tables records that separately.
    Problem-specific sections are extra fields, kept in the order they are added.
    """

    model_config = ConfigDict(extra="allow")

    engine: str = "spreiding"
    engine_version: str = Field(default_factory=_engine_version)
    command: str
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    python: str = Field(default_factory=platform.python_version)
    packages: dict[str, str] = Field(default_factory=package_versions)
    dataset_sha256: dict[str, str] = Field(default_factory=_dataset_hashes)
    privacy: str = PRIVACY
    inputs: dict[str, InputFile | None] = Field(default_factory=dict)
    variant: dict[str, Any] | None = None
    status: str | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    timings_seconds: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def write(self, path: str | Path) -> Path:
        """Write the record as JSON (:func:`write_json`)."""
        return write_json(path, self.model_dump(mode="python"))


def _plain(o: Any) -> Any:
    """JSON-ready copy of ``o``: numpy -> Python numbers, non-finite floats -> None."""
    if isinstance(o, dict):
        return {str(k): _plain(v) for k, v in o.items()}
    if isinstance(o, (list, tuple, np.ndarray)):
        return [_plain(v) for v in o]
    if isinstance(o, BaseModel):
        return _plain(o.model_dump(mode="python"))
    if isinstance(o, (bool, np.bool_)):
        return bool(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, (float, np.floating)):
        return float(o) if math.isfinite(o) else None
    if isinstance(o, Enum):
        return _plain(o.value)
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, (date, datetime)):
        return o.isoformat()
    if o is None or isinstance(o, (str, int)):
        return o
    return str(o)


def write_json(path: str | Path, data: Any) -> Path:
    """The engine's one JSON writer: UTF-8, indented, a trailing newline."""
    path = Path(path)
    path.write_text(json.dumps(_plain(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
