"""The ``evalspec`` command line: a lazy group of thin commands over the library.

Each command lives in its own module and is imported only when it runs, so ``evalspec --version``
and ``evalspec fmt`` never import the judge client (httpx) or the runner.
"""

from __future__ import annotations

import enum
import importlib
import os
import sys
from typing import Any

import click

from evalspec._version import __version__


class ExitCode(enum.IntEnum):
    """Process exit codes; stable and documented in the README."""

    #: Every gate passed (or, for ``lint``, nothing was found).
    OK = 0
    #: A gate or a guard's self-test failed; ``lint`` found problems; ``fmt --check`` would
    #: reformat.
    CHECKS_FAILED = 1
    #: The spec, the traces or the command line are invalid (also click's usage errors).
    INVALID_INPUT = 2
    #: Evaluation could not complete (a judge endpoint down after retries, a missing cached verdict
    #: under ``--offline``). Never reported as a regression.
    INCOMPLETE = 3
    #: Standard output was closed before everything was written (``evalspec check | head``):
    #: 128 + SIGPIPE, as the shell reports for any tool stopped that way. Never 0, which would
    #: pass a run whose report was cut short.
    OUTPUT_CLOSED = 141


#: command name -> "module:attribute", imported on first use.
COMMANDS: dict[str, str] = {
    "check": "evalspec.cli.check:check",
    "baseline": "evalspec.cli.baseline:baseline",
    "lint": "evalspec.cli.lint:lint",
    "fmt": "evalspec.cli.fmt:fmt",
    "compile": "evalspec.cli.compile:compile_command",
    "schema": "evalspec.cli.schema:schema",
    "rule": "evalspec.cli.lint:rule",
    "traces": "evalspec.cli.traces:traces",
    "judge": "evalspec.cli.judge:judge",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on demand from ``lazy`` ("module:attr")."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List eager and lazy commands, sorted."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return a command, importing its module if it is lazy and installed."""
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module_name, attr = self.lazy[cmd_name].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; a library error becomes its diagnostics and its exit code."""
        from evalspec.errors import EvalspecError

        try:
            return super().invoke(ctx)
        except EvalspecError as exc:
            from evalspec.cli._common import report_error

            report_error(exc)
            ctx.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # not a bug: the reader went away (``| head``)
            from evalspec.cli._common import detach_stdout

            detach_stdout()
            ctx.exit(ExitCode.OUTPUT_CLOSED)
        except Exception as exc:
            # A bug, not bad input: never exit 1 (CI would read a failed gate), never dump a
            # traceback on the user unless asked to.
            if os.environ.get("EVALSPEC_DEBUG"):
                raise
            click.echo(
                f"evalspec: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in evalspec; run with EVALSPEC_DEBUG=1 for the traceback.",
                err=True,
            )
            ctx.exit(ExitCode.INCOMPLETE)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evalspec", message="%(prog)s %(version)s")
def cli() -> None:
    """Executable failure-mode specs for AI products.

    Exit codes: 0 ok, 1 a gate, self-test or lint finding failed, 2 invalid spec, traces or
    command line, 3 evaluation could not complete, 141 standard output closed early.
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return (or exit with) its exit code."""
    from evalspec.cli._common import run_cli

    return run_cli(cli, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
