"""The exception tree. Every exception carries the diagnostics that explain it.

::

    EvalspecError                 exit_code 2 unless a subclass says otherwise
    ├── SpecError                 the spec is invalid (syntax, compile, IR schema)
    │   ├── EvalSyntaxError       the text does not parse
    │   ├── CompileError          it parses, but means nothing valid
    │   └── SchemaError           an IR JSON document does not match the IR schema
    ├── TraceError                traces cannot be read (or, under --strict, have problems)
    ├── UsageError                the command line or configuration is invalid
    └── JudgeError                a judge could not answer (exit_code 3: evaluation incomplete)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from evalspec.diagnostics import Diagnostic


class EvalspecError(Exception):
    """Base class; ``diagnostics`` explain the failure, ``exit_code`` is what the CLI returns."""

    exit_code: ClassVar[int] = 2

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.diagnostics: list[Diagnostic] = list(diagnostics)


class SpecError(EvalspecError):
    """The spec is invalid."""


class EvalSyntaxError(SpecError):
    """The ``.eval`` text does not parse."""


class CompileError(SpecError):
    """The spec parses but is not valid (unknown selector, missing file, ...)."""


class SchemaError(SpecError):
    """An IR document does not validate against the IR schema."""


class TraceError(EvalspecError):
    """Traces cannot be read."""


class UsageError(EvalspecError):
    """The command line or the configuration is invalid."""


class JudgeError(EvalspecError):
    """A judge endpoint could not give a verdict; the evaluation is incomplete."""

    exit_code: ClassVar[int] = 3
