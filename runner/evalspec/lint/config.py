"""Which rules run on which file: ``[tool.evalspec.lint]`` or ``evalspec.toml``, and the CLI.

Read from the project root: the ``[lint]`` table of ``evalspec.toml`` if that file exists, else
``[tool.evalspec.lint]`` of ``pyproject.toml``::

    [tool.evalspec.lint]
    select = ["ALL"]                    # default: every rule
    extend-select = []                  # added to select
    ignore = ["ES104"]                  # removed, whatever selected it
    per-file-ignores = { "drafts/**" = ["ES1", "ES301"] }

Selectors are codes (``ES101``), old codes (aliases), rule names (``mode-without-guard``),
prefixes (``ES1``, ``ES10``) or ``ALL``. On the command line ``--select`` replaces the
configured ``select`` and ``extend-select``, ``--ignore`` replaces ``ignore``, and
``--extend-select`` / ``--extend-ignore`` add. ``per-file-ignores`` globs are relative to the
project root (``**`` crosses folders; a glob without ``/`` matches the file name). An unknown
selector or key is a usage error (exit code 2) with a close-match suggestion. Syntax and
compile errors (ES0xx) are always reported and cannot be selected or ignored.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from evalspec.errors import UsageError
from evalspec.lint.base import ALIASES, RULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

_KEYS = ("select", "extend-select", "ignore", "extend-ignore", "per-file-ignores")


@dataclass(frozen=True)
class LintConfig:
    """Rule selection for one project; ``source`` is the file it came from, if any."""

    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    source: str | None = None
    base: Path = field(default_factory=Path)

    def with_cli(
        self,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] | None = None,
        extend_select: Sequence[str] = (),
        extend_ignore: Sequence[str] = (),
    ) -> LintConfig:
        """Apply command-line selectors: ``select``/``ignore`` replace, ``extend_*`` add."""
        config = self
        if select is not None:
            config = replace(config, select=tuple(select), extend_select=())
        if ignore is not None:
            config = replace(config, ignore=tuple(ignore), extend_ignore=())
        return replace(
            config,
            extend_select=config.extend_select + tuple(extend_select),
            extend_ignore=config.extend_ignore + tuple(extend_ignore),
        )

    def validate(self) -> None:
        """Resolve every selector once, so that a typo fails before any file is linted."""
        where = self.source or "the command-line options"
        selected(self.select + self.extend_select, where)
        selected(self.ignore + self.extend_ignore, where)
        for _, codes in self.per_file_ignores:
            selected(codes, where)

    def enabled(self, path: Path) -> frozenset[str]:
        """The codes that run on ``path``."""
        where = self.source or "the command-line options"
        codes = selected(self.select + self.extend_select, where)
        codes -= selected(self.ignore + self.extend_ignore, where)
        relative = _relative(path, self.base)
        for pattern, ignored in self.per_file_ignores:
            if glob_matches(pattern, relative):
                codes -= selected(ignored, where)
        return frozenset(codes)


def selected(selectors: Iterable[str], where: str) -> set[str]:
    """The rule codes a list of selectors names; raises :class:`UsageError` for unknown ones."""
    codes: set[str] = set()
    for selector in selectors:
        codes |= _resolve(selector.strip(), where)
    return codes


def _resolve(selector: str, where: str) -> frozenset[str]:
    upper = selector.upper()
    if upper == "ALL":
        return frozenset(RULES)
    if upper in RULES or upper in ALIASES:
        return frozenset({ALIASES.get(upper, upper)})
    named = [code for code, cls in RULES.items() if cls.name == selector]
    if named:
        return frozenset(named)
    if re.fullmatch(r"ES\d{0,2}", upper):
        prefixed = frozenset(code for code in RULES if code.startswith(upper))
        if prefixed:
            return prefixed
    raise _unknown(selector, where)


def _unknown(selector: str, where: str) -> UsageError:
    if selector.upper().startswith("ES0"):
        message = f"{selector} in {where}: syntax and compile errors (ES0xx) are always reported"
        return _usage(message, None)
    options = [*RULES, *(cls.name for cls in RULES.values()), "ALL"]
    # codes are often mistyped with a letter for a digit: ES1O1, ES10l
    looks_like_code = selector[:2].upper() == "ES"
    query = selector.upper().replace("O", "0").replace("L", "1") if looks_like_code else selector
    match = difflib.get_close_matches(query, options, n=1)
    hint = f"did you mean '{match[0]}'?" if match else "see  evalspec rule  for the rule codes"
    return _usage(f"unknown rule selector '{selector}' in {where}", hint)


def _usage(message: str, hint: str | None) -> UsageError:
    return UsageError(f"{message} ({hint})" if hint else message)


def glob_matches(pattern: str, path: str) -> bool:
    """Whether a project-relative POSIX ``path`` matches a ``per-file-ignores`` glob."""
    if "/" not in pattern:
        return _glob_regex(pattern).fullmatch(PurePosixPath(path).name) is not None
    return _glob_regex(pattern.removeprefix("./")).fullmatch(path) is not None


@cache
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            c = pattern[i]
            out.append("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c))
            i += 1
    if pattern.endswith("/"):
        out.append(".*")  # a folder: everything below it
    return re.compile("".join(out))


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load_config(root: Path) -> LintConfig:
    """Read the lint configuration of the project at ``root`` (defaults when there is none).

    Raises:
        UsageError: the file is not valid TOML, or the table has an unknown key or a value of
            the wrong type.
    """
    for name, keys in (
        ("evalspec.toml", ("lint",)),
        ("pyproject.toml", ("tool", "evalspec", "lint")),
    ):
        path = root / name
        if path.is_file():
            table = _table(path, keys)
            if table is not None or name == "evalspec.toml":
                return _config(table or {}, f"{name} [{'.'.join(keys)}]", root)
    return LintConfig(base=root)


def _table(path: Path, keys: tuple[str, ...]) -> dict[str, Any] | None:
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise _usage(f"cannot read {path.name}: {exc}", None) from None
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


def _config(table: dict[str, Any], where: str, root: Path) -> LintConfig:
    for key in table:
        if key not in _KEYS:
            match = difflib.get_close_matches(key, _KEYS, n=1)
            raise _usage(
                f"unknown key '{key}' in {where}",
                f"did you mean '{match[0]}'?" if match else f"keys: {', '.join(_KEYS)}",
            )
    ignores = table.get("per-file-ignores", {})
    if not isinstance(ignores, dict):
        raise _usage(f"per-file-ignores in {where} must be a table of glob = [codes]", None)
    config = LintConfig(
        select=_strings(table.get("select", ["ALL"]), "select", where),
        extend_select=_strings(table.get("extend-select", []), "extend-select", where),
        ignore=_strings(table.get("ignore", []), "ignore", where),
        extend_ignore=_strings(table.get("extend-ignore", []), "extend-ignore", where),
        per_file_ignores=tuple((g, _strings(c, f"per-file-ignores.{g}", where))
                               for g, c in ignores.items()),
        source=where, base=root,
    )  # fmt: skip
    config.validate()
    return config


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _usage(f"{key} in {where} must be a list of rule codes", 'e.g. ["ES101", "ES3"]')
    return tuple(value)
