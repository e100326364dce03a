"""Half-year periods ``YYYY-H1`` / ``YYYY-H2`` and their statutory dates.

Huisvestingswet 2014 art. 28-29: the taakstelling is set per calendar half-year, using the CBS
population of 1 January of the *preceding* calendar year. COA must have linked enough
statushouders by 1 April (H1) / 1 October (H2) for gemeenten to make their number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^(\d{4})-H([12])$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    half: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-H1`` or ``YYYY-H2``; raise ``ValueError`` with the expected format."""
        m = _PATTERN.match(str(text).strip())
        if not m:
            raise ValueError(f"period {text!r} is not of the form YYYY-H1 or YYYY-H2 (e.g. 2025-H2)")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year}-H{self.half}"

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        """Last day of the half-year."""
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def reference_date(self) -> date:
        """Population reference date: 1 January of the preceding calendar year (art. 29(1))."""
        return date(self.year - 1, 1, 1)

    @property
    def koppel_deadline(self) -> date:
        """Date by which COA should have linked the half-year's number: 1 April / 1 October."""
        return date(self.year, 4, 1) if self.half == 1 else date(self.year, 10, 1)

    def previous(self) -> Period:
        return Period(self.year - 1, 2) if self.half == 1 else Period(self.year, 1)

    def next(self) -> Period:
        return Period(self.year, 2) if self.half == 1 else Period(self.year + 1, 1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, 1 if day.month <= 6 else 2)
