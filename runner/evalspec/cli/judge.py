"""``evalspec judge``: validate an LLM judge against human labels.

Subcommands are plain ``@judge.command`` functions; the helpers below (verdict files, the
``--format`` option, JSON output) are shared by all of them. This module never imports the judge
HTTP client, so it works without httpx.

Verdict files hold one verdict per line: ``1`` or ``PASS`` (any case) for Pass, ``0`` or ``FAIL``
for Fail; surrounding whitespace and blank lines are ignored. Input errors exit with code 2:

- ``ES801 invalid-verdict``: a line that is not 0, 1, PASS or FAIL (every such line is reported).
- ``ES802 unreadable-verdicts``: the file cannot be read, or is not UTF-8.
- ``ES803 estimate-rejected``: the verdicts are readable but unusable (judgy's checks: lengths
  differ, a class is missing, TPR + TNR <= 1, no valid bootstrap draw).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from evalspec.diagnostics import Diagnostic, Severity, Span
from evalspec.errors import UsageError
from evalspec.judge.estimate import Estimate, EstimateError, Method, estimate
from evalspec.judge.mt19937 import SEED_MAX

INVALID_VERDICT = "ES801"
UNREADABLE_VERDICTS = "ES802"
ESTIMATE_REJECTED = "ES803"

#: Accepted spellings, after ``str.strip`` and ``str.casefold``.
VERDICTS = {"1": 1, "pass": 1, "0": 0, "fail": 0}

_F = TypeVar("_F", bound=Callable[..., Any])


class _JudgeGroup(click.Group):
    """Loads the subcommands that need the judge client only when one of them runs."""

    _LAZY = ("calibrate", "compare", "export")

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand, eager and lazy."""
        return sorted({*super().list_commands(ctx), *self._LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import ``cli/judge_guards.py`` on first use of one of its commands."""
        if cmd_name in self._LAZY and cmd_name not in self.commands:
            import evalspec.cli.judge_guards  # noqa: F401 - registers the commands on ``judge``
        return super().get_command(ctx, cmd_name)


@click.group("judge", cls=_JudgeGroup)
def judge() -> None:
    """Validate LLM judges against human labels (Pass = 1 is the positive class)."""


def verdict_file_option(flag: str, help_text: str) -> Callable[[_F], _F]:
    """Return a required ``--flag FILE`` option naming a verdict file."""
    return click.option(
        flag, required=True, help=help_text, type=click.Path(exists=True, dir_okay=False)
    )


def format_option(func: _F) -> _F:
    """Add ``--format text|json`` (default text)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Output format; json writes exact numbers (shortest round-trip floats).",
    )(func)


def read_verdicts(files: dict[str, str]) -> dict[str, list[int]]:
    """Read verdict files (name -> path) into 0/1 values, reporting every bad line of every file.

    Raises:
        UsageError: ``ES802`` for a file that cannot be read, ``ES801`` for each invalid line.
    """
    values: dict[str, list[int]] = {}
    problems: list[Diagnostic] = []
    for name, path in files.items():
        values[name] = _read_verdict_file(path, problems)
    if problems:
        raise UsageError(f"invalid verdicts in {problems[0].path}", problems)
    return values


def _read_verdict_file(path: str, problems: list[Diagnostic]) -> list[int]:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 ({exc.reason})"
        problems.append(_diagnostic(UNREADABLE_VERDICTS, f"cannot read verdicts: {reason}", path))
        return []
    values: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        token = line.strip()
        if token.casefold() in VERDICTS:
            values.append(VERDICTS[token.casefold()])
        elif token:
            problems.append(_invalid_line(path, number, line, token))
    return values


def _invalid_line(path: str, number: int, line: str, token: str) -> Diagnostic:
    column = len(line) - len(line.lstrip()) + 1
    span = Span(number, column, number, column + len(token))
    message = f"expected 0, 1, PASS or FAIL, got {token!r}"
    return _diagnostic(INVALID_VERDICT, message, path, span, "one verdict per line")


def _diagnostic(
    code: str, message: str, path: str, span: Span | None = None, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(
        code=code, severity=Severity.ERROR, message=message, path=path, span=span, hint=hint
    )


def echo_json(data: Any) -> None:
    """Write ``data`` as indented JSON with a trailing newline."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@judge.command("estimate")
@verdict_file_option("--test-labels", "Human labels on the test set.")
@verdict_file_option("--test-preds", "The judge's verdicts on the same items, in the same order.")
@verdict_file_option("--preds", "The judge's verdicts on unlabelled (production) items.")
@click.option(
    "--method",
    type=click.Choice(["full", "judgy"]),
    default="full",
    show_default=True,
    help="full also resamples --preds; judgy replays judgy 0.1.0 exactly.",
)
@click.option("--iterations", type=click.IntRange(min=1), default=20000, show_default=True)
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
)
@click.option(
    "--seed",
    type=click.IntRange(0, SEED_MAX),
    default=0,
    show_default=True,
    help="numpy legacy seed (np.random.seed) of the bootstrap.",
)
@format_option
def estimate_command(
    test_labels: str,
    test_preds: str,
    preds: str,
    method: Method,
    iterations: int,
    confidence: float,
    seed: int,
    output_format: str,
) -> None:
    """Estimate the true pass rate behind a judge's verdicts, with a bootstrap interval.

    Corrects the judge's observed pass rate on --preds with its TPR and TNR on the labelled test
    set (Rogan-Gladen). Exit codes: 0 estimated (warnings included), 2 invalid input.
    """
    files = {"test_labels": test_labels, "test_preds": test_preds, "unlabeled_preds": preds}
    values = read_verdicts(files)
    try:
        result = estimate(
            values["test_labels"],
            values["test_preds"],
            values["unlabeled_preds"],
            method=method,
            iterations=iterations,
            confidence=confidence,
            seed=seed,
        )
    except EstimateError as exc:
        raise _rejected(exc, files) from None
    if output_format == "json":
        echo_json(result.to_dict())
    else:
        click.echo(render_estimate(result))


def _rejected(exc: EstimateError, files: dict[str, str]) -> UsageError:
    subject = exc.subject if exc.subject in files else "test_labels"
    option = {"test_labels": "--test-labels", "test_preds": "--test-preds"}.get(subject, "--preds")
    hint = f"{subject} is the file given to {option}"
    diagnostic = _diagnostic(ESTIMATE_REJECTED, str(exc), files[subject], hint=hint)
    return UsageError(str(exc), [diagnostic])


def render_estimate(result: Estimate) -> str:
    """Render an estimate for people: four decimals (``--format json`` has every digit)."""
    counts = result.confusion
    level = f"{result.confidence * 100:g}%"
    lines = [
        f"pass rate  {result.theta:.4f}  {level} interval [{result.lower:.4f}, "
        f"{result.upper:.4f}]  method {result.method}",
        f"raw theta  {result.theta_raw:.4f}",
        f"p_obs      {result.p_obs:.4f}  ({result.unlabeled_pass} of {result.unlabeled} "
        "unlabelled verdicts Pass)",
        f"TPR        {result.tpr:.4f}  ({counts.tp} of {counts.positives} human Pass)",
        f"TNR        {result.tnr:.4f}  ({counts.tn} of {counts.negatives} human Fail)",
        f"draws      {result.valid_draws} valid of {result.iterations}, seed {result.seed}",
        f"warnings   {len(result.warnings) or 'none'}",
    ]
    lines += [f"  {warning.code}: {warning.message}" for warning in result.warnings]
    return "\n".join(lines)
