"""Every kind of report opened in a real browser (headless Chromium through playwright).

Checks what a reader relies on: maps, charts and tables render; search filters rows; a column
sorts; a household's explanation opens; pages of a large table; no console errors. One browser
for the module. Chromium is Debian's (``/usr/bin/chromium``, installed by ``.ci/run``); no
browser is downloaded. With ``SPREIDING_UPDATE_SCREENSHOTS=1`` the screenshots shown in
``docs/report.md`` are written to ``docs/img/``; otherwise into the test's temporary folder.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from optimizer.report import Report, write_report
from optimizer.report.html import render_html

CHROMIUM = Path(os.environ.get("SPREIDING_CHROMIUM", "/usr/bin/chromium"))
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
DAY = date(2025, 8, 4)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)")


@pytest.fixture(scope="module")
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.errors = []
        pg.on("console", lambda m: pg.errors.append(m.text) if m.type in ("error", "warning") else None)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:")) else pg.errors.append(
            f"network request {r.url}"))
        yield pg
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    if os.environ.get("SPREIDING_UPDATE_SCREENSHOTS"):
        return DOCS_IMG
    return tmp_path_factory.mktemp("screenshots")


def _open(page, path: Path) -> None:
    page.errors.clear()
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("tbody tr")


def _table(page, name: str):
    return page.locator("section.table-block", has=page.locator("h2", has_text=name)).first


def _column(table, name: str) -> list[str]:
    """The shown cells of the column named ``name`` (its header shows the language's label)."""
    heads = table.locator("thead th").evaluate_all("ths => ths.map(th => th.dataset.column || '')")
    j = heads.index(name)
    return table.locator(f"tbody tr:not(.detail) td:nth-child({j + 1})").all_inner_texts()


def _check_map_and_charts(page, charts: int = 0) -> None:
    maps = page.locator("svg.map-svg")
    assert maps.count() >= 1
    for i in range(maps.count()):
        box = maps.nth(i).bounding_box()
        assert box["width"] > 300 and box["height"] > 300
        assert maps.nth(i).locator(".gemeenten path").count() == 342
        assert maps.nth(i).locator(".provinces path").count() == 12
        assert maps.nth(i).locator("text.source").text_content() == "Bron: CBS, PDOK"
    figures = page.locator("figure.chart svg")
    assert figures.count() == charts
    for i in range(charts):
        assert figures.nth(i).bounding_box()["width"] > 300


@pytest.fixture(scope="module")
def proposal(tmp_path_factory) -> Path:
    from optimizer.data.synthetic import generate_households
    from optimizer.koppeling.run import ProposeConfig, run_propose
    from optimizer.rules.state import build_state

    out = tmp_path_factory.mktemp("proposal") / "run"
    run_propose(ProposeConfig(households=generate_households(40, 3, as_of=DAY), state=build_state("2025-H2", DAY),
                              out=out, formats=("csv",), as_of=DAY))
    return out


@pytest.fixture(scope="module")
def reception(tmp_path_factory):
    """The three northern provinces only (a quick solve); the rest of the map is 'no data'."""
    from optimizer.data import dataset
    from optimizer.reception.run import solve_variant
    from optimizer.reception.variant import load_variant

    gem = dataset.load_gemeenten()
    variant = load_variant("reception-bonus-only").model_copy(update={"total_places": 3000})
    return solve_variant(variant, gemeenten=gem[gem["provincie_code"].isin(["PV20", "PV21", "PV22"])])


def test_proposal_report(page, proposal, shots):
    _open(page, proposal / "report.html")
    _check_map_and_charts(page, charts=1)
    assert page.locator(".summary dd").count() >= 8
    gem = _table(page, "Gemeenten")
    assert gem.locator("tbody tr").count() == 342
    # search filters rows
    gem.locator("input.search").fill("GM0014")
    assert _column(gem, "gm_code") == ["GM0014"] and "1 van 342 rijen" in gem.locator(".count").inner_text()
    gem.locator("input.search").fill("")
    # sort: click twice for descending; the order is the frame's
    target = gem.locator("th[data-column='target'] button")
    assert target.inner_text().strip() == "taak"  # Dutch header, the column's name on hover
    target.click()
    target.click()
    want = pd.read_csv(proposal / "gemeenten.csv")["target"].sort_values(ascending=False)
    got = [float(v.replace(".", "").replace(",", ".")) for v in _column(gem, "target")]
    assert got == pytest.approx(want.tolist())
    assert gem.locator("th[aria-sort='descending']").count() == 1
    # a household's explanation one click away
    hh = _table(page, "Huishoudens")
    first_id = _column(hh, "household_id")[0]
    reasons = pd.read_csv(proposal / "proposal.csv", dtype=str).set_index("household_id")["reason"]
    assert hh.locator("tr.detail").count() == 0
    hh.locator("button.expander").first.click()
    assert hh.locator("tr.detail").count() == 1
    assert hh.locator("tr.detail td").inner_text().strip() == reasons[first_id].strip()
    assert reasons[first_id].startswith(("Gekoppeld aan ", "Niet geplaatst: ", "Uitgesloten: "))  # Dutch by default
    assert set(_column(hh, "status")) <= {"gekoppeld", "niet geplaatst", "uitgesloten", "eerder gekoppeld"}
    page.locator("#summary").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "report-proposal.png"))
    hh.scroll_into_view_if_needed()
    hh.screenshot(path=str(shots / "report-households.png"))
    assert page.errors == []


def test_reception_report(page, reception, tmp_path):
    from optimizer.reception.report import report

    report(reception, tmp_path)
    _open(page, tmp_path / "report.html")
    _check_map_and_charts(page)
    places = _table(page, "Plaatsen per gemeente")
    assert places.locator("tbody tr").count() == 40
    places.locator("input.search").fill("groningen GM0014")  # every word must occur
    assert _column(places, "gm_naam") == ["Groningen"]
    page.locator("svg.map-svg").first.scroll_into_view_if_needed()
    page.locator("section.map-block").first.screenshot(path=str(tmp_path / "report-reception-map.png"))
    assert page.errors == []


def test_compare_report(page, reception, tmp_path):
    from optimizer.reception import compare
    from optimizer.reception.report import compare_report

    results = {"a": reception, "b": reception}
    table = pd.DataFrame([{**compare.metrics(r), "variant": n} for n, r in results.items()])
    quint = pd.DataFrame({n: compare.payments_by_quintile(r) for n, r in results.items()}).reset_index()
    write_report(compare_report(table, results, quint), tmp_path)
    _open(page, tmp_path / "report.html")
    _check_map_and_charts(page, charts=1)
    assert page.locator("svg.map-svg").count() == 2
    assert page.errors == []


def test_large_table_is_paged_and_searchable(page, tmp_path):
    """8,000 households (a national half-year): one page of rows in the DOM, search over all."""
    n = 8000
    frame = pd.DataFrame({"household_id": [f"H{i:05d}" for i in range(n)], "persons": [1 + i % 7 for i in range(n)],
                          "reason": [f"reden {i}" for i in range(n)]})
    r = Report(title="Groot", kind="propose")
    r.add_table("Huishoudens", frame, detail="reason")
    (tmp_path / "report.html").write_text(render_html(r), encoding="utf-8")  # no xlsx: only the page is tested
    _open(page, tmp_path / "report.html")
    t = _table(page, "Huishoudens")
    assert t.locator("tbody tr").count() == 350 and "pagina 1 van 23" in t.locator(".page").inner_text()
    t.locator("button.next").click()
    assert _column(t, "household_id")[0] == "H00350"
    t.locator("input.search").fill("reden 7999")
    assert _column(t, "household_id") == ["H07999"]
    t.locator("button.expander").first.click()
    assert t.locator("tr.detail td").inner_text() == "reden 7999"
    assert page.errors == []
