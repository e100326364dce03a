"""Command-line interface: ``spreiding <command>`` (also ``python -m optimizer``).

One typer app (:data:`optimizer.cli.common.app`), one error handler, and options that mean the
same in every command (:mod:`optimizer.cli.common`). Commands read like the user's task, one
module per side: housing (:mod:`optimizer.cli.koppeling`: ``taakstelling``, ``state``,
``households``, ``propose``, ``demo``), reception (:mod:`optimizer.cli.reception`:
``reception``, ``compare``), the embedded data (:mod:`optimizer.cli.data`) and the half-year
cycle (:mod:`optimizer.cli.cycle`).
"""

from __future__ import annotations

from optimizer.cli import (  # noqa: F401  (each registers its commands)
    common,
    cycle,
    data,
    evaluation,
    koppeling,
    reception,
    simulation,
    whatif,
)
from optimizer.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    common.AS_PROGRAM = True  # a command's time limit counts from process start
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
