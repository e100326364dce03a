"""Where the embedded dataset, the variants and the optional raw public files live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The embedded default dataset (``data/`` in the repository).

    ``SPREIDING_DATA`` overrides it, e.g. to point at an updated dataset.
    """
    return Path(os.environ.get("SPREIDING_DATA", REPO_ROOT / "data"))


def variants_dir() -> Path:
    """Named weight sets and bonus-malus schemes (``models/variants``)."""
    return REPO_ROOT / "models" / "variants"


def raw_dir() -> Path:
    """Raw public files (not committed): ``SPREIDING_RAW`` or ``../shared/data/raw``."""
    return Path(os.environ.get("SPREIDING_RAW", REPO_ROOT.parent / "shared" / "data" / "raw"))
