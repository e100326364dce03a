"""Shared test setup: every test is marked with its kind (the folder it lives in).

Kinds (``pytest -m KIND``): ``unit`` (rules and helpers, no solver), ``math`` (golden LP
snapshots of every constraint family), ``models`` (solved instances: hand-computed optima, the
independent checker in :mod:`support.checker`, hypothesis properties), ``cli`` (commands end to
end), ``regression`` (the stored demo example), ``bench`` (benchmark smoke runs) and ``cycle``
(the ledger: transactions, crash safety, migrations, the weekly cycle played through) and
``browser`` (every kind of report opened in headless Chromium) and ``simulation`` (the
half-year simulation: policies, hindsight, the Dask runner).
Helpers shared by several test modules live in ``tests/support/``; no test module imports
another.
"""

from __future__ import annotations

from pathlib import Path

import pytest

KINDS = ("unit", "math", "models", "cli", "regression", "bench", "cycle", "browser", "simulation")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with the kind named by its folder (``tests/<kind>/test_*.py``)."""
    root = Path(__file__).parent
    for item in items:
        try:
            kind = Path(item.fspath).relative_to(root).parts[0]
        except ValueError:
            continue
        if kind in KINDS:
            item.add_marker(getattr(pytest.mark, kind))
