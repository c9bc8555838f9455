"""The lint rule model: :class:`Rule`, the :func:`rule` registry and :class:`LintContext`.

A rule is a small class in ``lint/rules/*.py``: a stable ``code`` (``ES101``), a kebab-case
``name``, ``groups``, optional ``aliases`` (old codes kept after a renumbering) and a docstring
that is its documentation (see :mod:`evalspec.lint.docstrings`). ``@rule`` registers it in
:data:`RULES` and refuses, at import time, a duplicate or misplaced code, a bad name and a
docstring without its summary, rationale and examples.

Codes are grouped by hundreds: ES1xx structure and coverage, ES2xx guard hygiene, ES3xx traces
and exemplars, ES4xx judges, ES9xx suppressions. ES0xx (syntax and compile errors), ES6xx
(run), ES7xx (traces) and ES8xx (judge estimates) belong to other stages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from evalspec import ir
from evalspec.diagnostics import Diagnostic, Severity, Span
from evalspec.lang import ast
from evalspec.lint import noqa
from evalspec.lint.docstrings import RuleDoc, parse_doc
from evalspec.lint.sources import Project, TraceLookup

if TYPE_CHECKING:
    from evalspec.run.baseline import SpecLock
    from evalspec.run.labels import Label

#: Every rule by code, in registration order.
RULES: dict[str, type[Rule]] = {}
#: Old codes of renamed rules -> current code.
ALIASES: dict[str, str] = {}
#: Where the generated rules reference is published; each rule has an anchor there.
DOCS_URL = "https://evalspec.dev/rules"

_CODE = re.compile(r"^ES[1-59]\d\d$")  # ES0xx and ES6xx-ES8xx belong to other stages
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_R = TypeVar("_R", bound="type[Rule]")
T = TypeVar("T")

Needs = Literal["ast", "ir", "compiled"]


class Rule:
    """Base class of lint rules; subclasses set the class attributes and :meth:`check`.

    ``needs`` says what the rule reads: ``"ast"`` (it runs whenever the spec parses), ``"ir"``
    (also when only referenced files are missing) or ``"compiled"`` (only when the spec
    compiles without errors, e.g. the self-test, which would report missing files again).
    A ``late`` rule runs after suppressions were applied to the other rules' findings.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    groups: ClassVar[tuple[str, ...]]
    aliases: ClassVar[tuple[str, ...]] = ()
    severity: ClassVar[Severity] = Severity.WARNING
    needs: ClassVar[Needs] = "ast"
    late: ClassVar[bool] = False
    doc: ClassVar[RuleDoc]

    def check(self, ctx: LintContext) -> Iterable[Diagnostic]:
        """Yield this rule's findings in the file of ``ctx``."""
        raise NotImplementedError

    def finding(
        self, ctx: LintContext, span: Span, message: str, hint: str | None = None
    ) -> Diagnostic:
        """Build a finding of this rule at ``span``."""
        return Diagnostic(
            code=self.code, severity=self.severity, message=message, path=ctx.path,
            span=span, hint=hint, name=self.name,
        )  # fmt: skip

    @classmethod
    def url(cls) -> str:
        """The rule's section in the published rules reference."""
        return f"{DOCS_URL}#{cls.code.lower()}-{cls.name}"


def rule(cls: _R) -> _R:
    """Register a rule class in :data:`RULES`, checking its code, name and docstring.

    Raises:
        ValueError: a malformed or duplicate code, name or alias, or a malformed docstring.
    """
    code, name = getattr(cls, "code", ""), getattr(cls, "name", "")
    if not _CODE.match(code):
        raise ValueError(f"{cls.__name__}: code {code!r} is not ES1xx-ES5xx or ES9xx")
    if code in RULES or code in ALIASES:
        raise ValueError(f"{cls.__name__}: code {code} is already taken")
    if not _NAME.match(name) or any(r.name == name for r in RULES.values()):
        raise ValueError(f"{cls.__name__}: name {name!r} is not a new kebab-case name")
    if not getattr(cls, "groups", ()):
        raise ValueError(f"{cls.__name__}: a rule belongs to at least one group")
    for alias in cls.aliases:
        if not re.match(r"^ES\d{3}$", alias) or alias in RULES or alias in ALIASES:
            raise ValueError(f"{cls.__name__}: alias {alias!r} is malformed or taken")
    cls.doc = parse_doc(cls.__doc__, f"{code} ({cls.__name__})")
    RULES[code] = cls
    ALIASES.update(dict.fromkeys(cls.aliases, code))
    return cls


def resolve_code(code: str) -> str | None:
    """The rule code for a code or an old alias; ``None`` when no rule has it."""
    return code if code in RULES else ALIASES.get(code)


def unregister(code: str) -> None:
    """Remove a rule and its aliases (for tests that register throwaway rules)."""
    cls = RULES.pop(code)
    for alias in cls.aliases:
        ALIASES.pop(alias, None)


@dataclass
class LintContext:
    """Everything a rule may read about one spec file.

    ``path`` is the file as shown in findings; ``tree`` its syntax tree; ``doc`` its IR when
    it compiled (possibly with only referenced files missing: ``compiled`` tells); ``root`` the
    project root against which IR paths resolve; ``today`` the date of the run (injectable, so
    that date rules are testable); ``enabled`` the codes selected for this file; ``project``
    the caches shared across files.
    """

    path: str
    text: str
    tree: ast.File
    doc: ir.EvalFile | None
    root: Path
    today: dt.date
    enabled: frozenset[str] = frozenset()
    project: Project = field(default_factory=Project)
    compiled: bool = True
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def suite(self) -> ir.Suite | None:
        """The compiled suite, if the file has one and compiled."""
        return self.doc.suite if self.doc else None

    @property
    def suite_node(self) -> ast.Suite | None:
        """The file's (first) ``suite`` block."""
        return next((i for i in self.tree.items if isinstance(i, ast.Suite)), None)

    @property
    def modes(self) -> list[ast.Mode]:
        """The ``mode`` blocks in source order."""
        return self.memo("modes", lambda: [i for i in self.tree.items if isinstance(i, ast.Mode)])

    def mode_node(self, name: str) -> ast.Mode | None:
        """The first ``mode`` block called ``name``."""
        return next((m for m in self.modes if m.name.value == name), None)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a value once per file, for rules that share work (the self-test)."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    def suppressions(self) -> noqa.Suppressions:
        """The file's suppression comments, parsed once."""
        return self.memo("noqa", lambda: noqa.parse(self.tree, self.text, resolve_code))

    def spec_lock(self) -> SpecLock | None:
        """This spec's entry in the project's lock file (``None`` when absent)."""
        if self.doc is None:
            return None
        return self.project.lock(self.root).specs.get(self.doc.path)

    def labels(self, project_path: str) -> list[Label] | None:
        """The labels of a project-relative labels file (``None`` if it cannot be read)."""
        return self.project.labels(self.root / project_path)

    def traces(self) -> TraceLookup:
        """The example and counter traces the spec names by id, looked up once per file."""

        def lookup() -> TraceLookup:
            ids = ir.named_trace_ids(self.doc) if self.doc else set()
            return self.project.traces(self.root, self.suite, ids)

        return self.memo("traces", lookup)
