"""The fairness summary of a proposal (issue 12): every gemeente far off its target gets the
reason that binds it, on tiny instances where that reason is known by construction."""

from __future__ import annotations

import pytest
from support.cases import A, B, C, run_case
from support.checker import household_row, weights

from optimizer.koppeling.fairness import BINDING, COLUMNS, fairness_report, far_off_gemeenten

W = weights(quota=1, unplaced=1000)


def reasons(r) -> dict[str, tuple[str, str]]:
    far = far_off_gemeenten(r.ctx, r.sol, r.gemeenten)
    assert list(far.columns) == list(COLUMNS)
    return {g: (side, code) for g, side, code in zip(far["gm_code"], far["side"], far["reason_code"])}


def test_no_dwellings_and_indivisible_household(tmp_path):
    # A (target 4) offers nothing: zero, no_dwellings. B (target 3) gets the five-person family,
    # the only place with a class-4 dwelling: 2 over (67 %), 5 >= 2 x 2: indivisible.
    rows = [household_row("F", 5, children=3)]
    r = run_case(tmp_path, rows, {A: dict(target=4), B: dict(target=3, c4=1)}, W, quota_form="convex")
    assert reasons(r) == {A: ("zero", "no_dwellings"), B: ("over", "indivisible_household")}


def test_hard_ties_on_both_sides(tmp_path):
    # six singles, all with a family tie to B (hard): B 6 of 3 (+100 %), A 0 of 3; nobody may
    # go to A, and nobody linked in B may go elsewhere.
    rows = [household_row(f"H{i}", tie_family_gm=B) for i in range(6)]
    r = run_case(tmp_path, rows, {A: dict(target=3, c1=6), B: dict(target=3, c1=6)}, W, quota_form="convex")
    assert reasons(r) == {A: ("zero", "hard_ties"), B: ("over", "hard_ties")}
    headline, far = fairness_report(r.ctx, r.sol, r.gemeenten)
    assert headline["gemeenten_at_zero_codes"] == [A]
    assert headline["largest_over"]["gm_code"] == B and headline["largest_over"]["relative_deviation"] == 1.0
    assert headline["largest_under"]["relative_deviation"] == -1.0
    assert headline["far_off_without_binding_reason"] == 0
    assert headline["unexplained_far_over_while_far_under"] == 0
    assert set(far["reason_code"]) <= set(BINDING)


def test_no_fitting_dwelling_on_both_sides(tmp_path):
    # A (target 5) has one class-1 dwelling: one single; the family of five can only be housed
    # in B (target 1, a class-4 dwelling): A 1 of 5 (-80 %), B 5 of 1 (+400 %). The family does
    # not fit A's free dwellings (none), and no other gemeente below target has room for it.
    rows = [household_row("S"), household_row("F", 5, children=3)]
    r = run_case(tmp_path, rows, {A: dict(target=5, c1=1), B: dict(target=1, c4=1)}, W, quota_form="convex")
    assert (r.persons(A), r.persons(B)) == (1, 5)
    assert reasons(r) == {A: ("under", "no_fitting_dwelling"), B: ("over", "no_room_elsewhere")}


def test_cap(tmp_path):
    # A (target 4) may take one household (cap); the other three singles go to C (target 1).
    rows = [household_row(f"H{i}") for i in range(4)]
    live = {A: dict(target=4, c1=4, cap_households=1), C: dict(target=1, c1=4)}
    r = run_case(tmp_path, rows, live, W, quota_form="convex")
    assert (r.persons(A), r.persons(C)) == (1, 3)
    got = reasons(r)
    assert got[A] == ("under", "cap")
    assert got[C] == ("over", "no_room_elsewhere")  # A, below target, is at its cap


def test_within_band_is_not_far_off(tmp_path):
    # 11 singles for targets 10 and 1 with room everywhere: exact, nothing far off, all within 10 %
    rows = [household_row(f"H{i}") for i in range(11)]
    r = run_case(tmp_path, rows, {A: dict(target=10, c1=11), B: dict(target=1, c1=11)}, W, quota_form="convex")
    headline, far = fairness_report(r.ctx, r.sol, r.gemeenten)
    assert far.empty
    assert headline["share_within_10pct"] == pytest.approx(1.0)
    assert headline["gemeenten_with_target"] == 2 and headline["gemeenten_at_zero"] == 0
