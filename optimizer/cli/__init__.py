"""Command-line interface: ``spreiding <command>`` (also ``python -m optimizer``).

One typer app (:data:`optimizer.cli.common.app`), one error handler, and options that mean the
same in every command (:mod:`optimizer.cli.common`). Commands read like the user's task:
housing side (:mod:`optimizer.cli.koppeling`): ``taakstelling``, ``state``, ``households``,
``propose``, ``demo``; reception side (:mod:`optimizer.cli.reception`): ``reception``,
``compare``.
"""

from __future__ import annotations

from optimizer.cli import koppeling, reception  # noqa: F401  (registers the commands)
from optimizer.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
