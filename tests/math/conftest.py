"""Golden LP snapshots: ``python -m pytest tests/math --update-golden`` (or the environment
variable ``UPDATE_GOLDEN=1``) rewrites the snapshot files under ``tests/math/golden/`` instead
of only comparing against them; review the diff before committing."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden LP snapshots of tests/math")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the golden snapshots are to be rewritten."""
    option = request.config.getoption("--update-golden", default=False)
    return bool(option) or os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")
