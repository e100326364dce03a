"""Input errors that name file, row, column, value and the rule that was broken.

Every validator collects *all* violations and raises one :class:`InputError`; the CLI prints
them and exits with code 2, without a traceback and without writing output.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

EXIT_INPUT_ERROR = 2


@dataclass(frozen=True)
class Violation:
    """One broken rule in one input file.

    ``row`` is the spreadsheet row / file line with the header as row 1 (so the first data
    row is row 2), or ``None`` for a whole-file problem.
    """

    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where)
        if self.value is not None:
            text += f": value {self.value!r}"
        return f"{text}: {self.rule}"


class InputError(Exception):
    """One or more input violations; raised after collecting all of them."""

    def __init__(self, violations: Iterable[Violation] | Violation | str, file: str = "input"):
        if isinstance(violations, str):
            violations = [Violation(file=file, rule=violations)]
        elif isinstance(violations, Violation):
            violations = [violations]
        self.violations: list[Violation] = list(violations)
        super().__init__(self.report())

    def report(self, limit: int = 200) -> str:
        """All violations, one per line (capped at ``limit`` lines plus a count)."""
        lines = [str(v) for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"... and {len(self.violations) - limit} more violations")
        return "\n".join(lines)


def raise_if(violations: list[Violation]) -> None:
    """Raise an :class:`InputError` when the list is non-empty."""
    if violations:
        raise InputError(violations)
