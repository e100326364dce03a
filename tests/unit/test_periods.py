"""Tests of optimizer.core.periods: half-year parsing, statutory dates, neighbours and ordering.

Expected dates follow the Huisvestingswet (art. 29(1): population on 1 January of the preceding
calendar year) and the koppel deadlines 1 April / 1 October from docs/DOMAIN.md.
"""

from __future__ import annotations

from datetime import date

import pytest

from optimizer.core.periods import Period


@pytest.mark.parametrize("text, year, half", [
    ("2025-H1", 2025, 1),
    ("2025-H2", 2025, 2),
    ("1999-H2", 1999, 2),
    (" 2026-H1 ", 2026, 1),  # surrounding whitespace from a spreadsheet cell is tolerated
])
def test_parse_valid(text, year, half):
    p = Period.parse(text)
    assert (p.year, p.half) == (year, half)
    assert p == Period(year, half)


@pytest.mark.parametrize("text", ["2025-H3", "2025-H0", "25-H1", "2025H1", "", "2025-1", "2025-3", "H1-2025",
                                  "2025-H1x", "12025-H1", "2025_H1", "2025 - H1"])
def test_parse_invalid_names_the_expected_format(text):
    with pytest.raises(ValueError) as exc:
        Period.parse(text)
    msg = str(exc.value)
    assert "YYYY-H1 or YYYY-H2" in msg
    assert repr(text) in msg


def test_str_round_trip():
    for text in ("2024-H1", "2024-H2", "2031-H1"):
        assert str(Period.parse(text)) == text


@pytest.mark.parametrize("text, ref", [
    ("2025-H1", date(2024, 1, 1)),
    ("2025-H2", date(2024, 1, 1)),
    ("2026-H1", date(2025, 1, 1)),
    ("2021-H2", date(2020, 1, 1)),
])
def test_reference_date_is_1_january_of_preceding_year(text, ref):
    assert Period.parse(text).reference_date == ref


@pytest.mark.parametrize("text, deadline", [
    ("2025-H1", date(2025, 4, 1)),
    ("2025-H2", date(2025, 10, 1)),
    ("2024-H1", date(2024, 4, 1)),
])
def test_koppel_deadline(text, deadline):
    assert Period.parse(text).koppel_deadline == deadline


@pytest.mark.parametrize("text, start, end", [
    ("2025-H1", date(2025, 1, 1), date(2025, 6, 30)),
    ("2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
])
def test_start_end_contains(text, start, end):
    p = Period.parse(text)
    assert (p.start, p.end) == (start, end)
    assert p.contains(start) and p.contains(end)
    assert not p.contains(date.fromordinal(start.toordinal() - 1))
    assert not p.contains(date.fromordinal(end.toordinal() + 1))


@pytest.mark.parametrize("day, expected", [
    (date(2025, 1, 1), "2025-H1"),
    (date(2025, 6, 30), "2025-H1"),
    (date(2025, 7, 1), "2025-H2"),
    (date(2025, 12, 31), "2025-H2"),
])
def test_of(day, expected):
    assert str(Period.of(day)) == expected


@pytest.mark.parametrize("text, prev, nxt", [
    ("2025-H1", "2024-H2", "2025-H2"),
    ("2025-H2", "2025-H1", "2026-H1"),
])
def test_previous_next(text, prev, nxt):
    p = Period.parse(text)
    assert str(p.previous()) == prev
    assert str(p.next()) == nxt
    assert p.next().previous() == p
    assert p.previous().next() == p


def test_ordering_is_chronological():
    texts = ["2026-H1", "2024-H2", "2025-H2", "2025-H1", "2023-H1"]
    assert [str(p) for p in sorted(Period.parse(t) for t in texts)] == \
        ["2023-H1", "2024-H2", "2025-H1", "2025-H2", "2026-H1"]
    assert Period(2024, 2) < Period(2025, 1) < Period(2025, 2)
    assert Period(2025, 1) >= Period(2025, 1)
    assert not (Period(2025, 2) < Period(2025, 1))


def test_hashable_and_frozen():
    assert len({Period(2025, 1), Period.parse("2025-H1"), Period(2025, 2)}) == 2
    with pytest.raises(AttributeError):
        Period(2025, 1).year = 2026  # type: ignore[misc]
