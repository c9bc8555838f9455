"""The ``evalspec`` console script: answers ``--version`` before importing the CLI framework."""

from __future__ import annotations

import sys


def main() -> int:
    """Run the command line; ``evalspec --version`` needs no import beyond the version."""
    if sys.argv[1:] == ["--version"]:
        from evalspec._version import __version__

        print(f"evalspec {__version__}")
        return 0
    from evalspec.cli import main as cli_main

    return cli_main()
