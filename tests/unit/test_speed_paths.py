"""The fast paths of the weekly command (issue 13) give what the slow ones gave.

* the quota + pressure cost looked up per whole number of persons equals the computation bit for
  bit, and values off the table (fractions, beyond it) are computed;
* the gemeente and arbeidsmarktregio codes read alone equal those of the fully typed file;
* the SpreadsheetML writer: same bytes for the same tables, header comments, formats, dates;
* the compiler's sparse matrices come without ``scipy.stats`` (checked in a fresh process);
* the report's deviation chart is SVG made without matplotlib.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.core.tables import write_table
from optimizer.data import dataset, schemas
from optimizer.data.synthetic import generate_households
from optimizer.koppeling import objective
from optimizer.koppeling.inputs import build_inputs
from optimizer.koppeling.report import deviation_chart
from optimizer.koppeling.variant import load_variant
from optimizer.rules.state import build_state

DAY = date(2025, 8, 4)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inp():
    state = schemas.load_state(build_state("2025-H2", DAY), "state")
    households = schemas.load_households(generate_households(40, 3, as_of=DAY), "households")
    return build_inputs(households, state, load_variant("default"), as_of=DAY).inputs


def test_cost_table_equals_the_computation(inp):
    table = objective.cost_table(inp)
    persons = float(inp.size_persons[inp.unit_size[inp.hh_unit]].sum())
    assert table.shape == (inp.n_gemeenten, int(2 * persons + 1))
    rng = np.random.default_rng(1)
    for _ in range(20):
        P = rng.integers(0, table.shape[1], inp.n_gemeenten).astype(float)
        assert np.array_equal(objective.gemeente_cost(inp, P), objective._gemeente_cost(inp, P))
    g = np.array([0, 5, 7])
    x = np.array([3.0, 0.0, 12.0])
    assert np.array_equal(objective.gemeente_cost(inp, x, g), objective._gemeente_cost(inp, x, g))
    assert objective.gemeente_cost(inp, 4.0, 9) == objective._gemeente_cost(inp, 4.0, 9)


@pytest.mark.parametrize("persons", [np.full(342, 2.5), np.full(342, 1e6), np.full(342, -1.0)])
def test_cost_off_the_table_is_computed(inp, persons):
    assert np.array_equal(objective.gemeente_cost(inp, persons), objective._gemeente_cost(inp, persons))


def test_codes_read_alone_equal_the_typed_file():
    gem = dataset.load_gemeenten()
    assert dataset.gemeente_codes() == list(gem.index)
    assert dataset.amr_codes() == set(gem["amr_code"])


def _frame() -> pd.DataFrame:
    df = pd.DataFrame({"household_id": ["=1+1", "H2", "-3"], "persons": [1, 2, 3], "share": [0.5, None, 0.25],
                       "day": [datetime.date(2025, 8, 4)] * 3, "flag": [True, False, None]})
    df.attrs["notes"] = {"share": "points & <unit>"}
    return df


def test_xlsx_is_deterministic_and_keeps_what_openpyxl_wrote(tmp_path):
    from openpyxl import load_workbook

    a, b = write_table(_frame(), tmp_path / "a.xlsx"), write_table(_frame(), tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    ws = load_workbook(a)["data"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E4"
    assert [c.value for c in ws[1]] == ["household_id", "persons", "share", "day", "flag"]
    assert ws["A1"].font.b and ws["C1"].comment.text == "points & <unit>" and ws["A1"].comment is None
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["B3"].value == 2 and ws["C3"].value is None and ws["C4"].value == 0.25
    assert ws["D2"].value == datetime.datetime(2025, 8, 4) and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["E2"].value is True and ws["E4"].value is None
    back = pd.read_excel(a)
    assert back["household_id"].tolist() == ["=1+1", "H2", "-3"]


def test_compiler_matrices_without_scipy_stats():
    code = ("import sys, pyomo.environ as pyo\n"
            "from optimizer.solve.highs import _compile\n"
            "m = pyo.ConcreteModel(); m.x = pyo.Var(bounds=(0, 1)); m.c = pyo.Constraint(expr=m.x >= 0.5)\n"
            "m.o = pyo.Objective(expr=m.x)\n"
            "c = _compile(m)\n"
            "assert c.lp.num_col_ == 1 and c.lp.num_row_ == 1\n"
            "assert 'scipy.sparse' in sys.modules and 'scipy.stats' not in sys.modules, 'scipy.stats imported'\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_deviation_chart_is_svg_without_matplotlib():
    gem = pd.DataFrame({"gm_code": ["GM1", "GM2", "GM3"], "persons": [0, 5, 2], "target": [2.0, 2.0, 2.0]})
    svg = deviation_chart(gem, "en")
    assert svg.startswith('<svg class="chart-svg"') and svg.endswith("</svg>")
    assert svg.count('fill="#2166ac"') == 1 and svg.count('fill="#b2182b"') == 1  # one bar below, one above
    code = ("import sys, pandas as pd\nfrom optimizer.koppeling.report import deviation_chart\n"
            "deviation_chart(pd.DataFrame({'persons': [1], 'target': [2.0]}), 'nl')\n"
            "assert 'matplotlib' not in sys.modules\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
