"""``python -m optimizer``: the same as the ``spreiding`` command."""

from optimizer.cli import main

main()
