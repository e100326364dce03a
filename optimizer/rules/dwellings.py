"""Dwelling size classes and which class a household needs.

Documented assumption (occupancy norm, see docs/data.md): a household of ``p`` persons needs a
dwelling of at least class ``required_class(p)``; it may use a larger one (at a cost, because
larger dwellings are scarce), never a smaller one. Two single adults may optionally share one
class-2 dwelling.

| class | floor area | suits |
|---|---|---|
| 1 | <= 50 m2 | 1 person |
| 2 | 50-70 m2 | 2 persons (or 2 singles sharing) |
| 3 | 70-90 m2 | 3-4 persons |
| 4 | 90-120 m2 | 5-6 persons |
| 5 | >= 120 m2, 5+ rooms | 7+ persons |
"""

from __future__ import annotations

import numpy as np

SIZE_CLASSES: tuple[int, ...] = (1, 2, 3, 4, 5)
CLASS_LABELS = {1: "<=50 m2", 2: "50-70 m2", 3: "70-90 m2", 4: "90-120 m2", 5: ">=120 m2"}
DWELLING_COLUMNS = tuple(f"dwellings_c{k}" for k in SIZE_CLASSES)
SHARED_CLASS = 2  # two singles may share one dwelling of this class


def required_class(persons: int | np.ndarray) -> int | np.ndarray:
    """Smallest dwelling class for a household of ``persons`` (1->1, 2->2, 3-4->3, 5-6->4, 7+->5)."""
    p = np.asarray(persons)
    out = np.select([p <= 1, p == 2, p <= 4, p <= 6], [1, 2, 3, 4], default=5)
    return int(out) if out.ndim == 0 else out
