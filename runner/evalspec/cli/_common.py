"""Helpers shared by the commands: error rendering, exit codes, source loading."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import click

from evalspec.diagnostics import Diagnostic, render_text
from evalspec.errors import EvalspecError

if TYPE_CHECKING:
    from evalspec.run.check import Spec


def run_cli(group: click.Group, argv: list[str] | None) -> int:
    """Invoke ``group``; turn library errors into rendered diagnostics and exit codes."""
    try:
        code = group.main(args=argv, prog_name="evalspec", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return _exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return _exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        return _exit(130)
    return _exit(code if isinstance(code, int) else 0)


def detach_stdout() -> None:
    """Point standard output at the null device: the flush at exit must not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _exit(code: int) -> NoReturn:
    sys.exit(code)


def report_error(exc: EvalspecError) -> None:
    """Render an error's diagnostics (or its message) to stderr."""
    if exc.diagnostics:
        echo_diagnostics(exc.diagnostics)
    else:
        click.echo(f"error: {exc}", err=True)


def echo_diagnostics(diags: Iterable[Diagnostic], *, err: bool = True, limit: int = 50) -> None:
    """Print diagnostics with their source lines; cap the list with "... and N more"."""
    diags = list(diags)
    sources: dict[str, str | None] = {}
    for diag in diags[:limit]:
        if diag.path not in sources:
            sources[diag.path] = _read_quietly(diag.path)
        click.echo(render_text(diag, sources[diag.path]) + "\n", err=err)
    if len(diags) > limit:
        click.echo(f"... and {len(diags) - limit} more", err=err)


_MAX_SOURCE = 4 << 20


def _read_quietly(path: str) -> str | None:
    """A file's text, to show the offending line; big files (trace sets) are not read whole."""
    try:
        if Path(path).stat().st_size > _MAX_SOURCE:
            return None
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def exit_with(code: int) -> NoReturn:
    """Leave the command with ``code`` (used by commands that compute their own verdict)."""
    raise click.exceptions.Exit(code)


def spec_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to the ``*.eval`` files below them (sorted); keep files as given.

    Hidden folders and virtual environments are skipped. A missing path is a usage error.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.eval") if not _skipped(p.relative_to(path)))
        elif path.exists():
            found.append(path)
        else:
            raise click.BadParameter(f"no such file or folder: {path}", param_hint="PATHS")
    return found


def _skipped(relative: Path) -> bool:
    return any(
        part.startswith(".") or part in ("node_modules", "venv") for part in relative.parts[:-1]
    )


def load_specs(paths: Iterable[Path], root: Path | None) -> list[Spec]:
    """Compile every spec named (folders are searched for ``*.eval``); errors exit 2."""
    from evalspec.lang.load import compile_path
    from evalspec.lang.resolve import find_root
    from evalspec.run.check import Spec

    files = spec_files(paths)
    if not files:
        raise click.BadParameter("no .eval file found", param_hint="PATHS")
    specs = []
    for path in files:
        project = root or find_root(path.parent)
        specs.append(Spec(compile_path(path, root=project), path.as_posix(), project.resolve()))
    return specs


@contextlib.contextmanager
def open_output(path: Path | None) -> Iterator[TextIO]:
    """Standard output, or a file written in UTF-8."""
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8") as handle:
        yield handle
