"""Entry points of the language layer: a path or text in, IR out. ``.eval`` and IR JSON alike."""

from __future__ import annotations

from pathlib import Path

import msgspec

from evalspec import ir
from evalspec import regex as dialect
from evalspec.diagnostics import Span, error
from evalspec.errors import SchemaError
from evalspec.lang import ast, codes
from evalspec.lang.compiler import compile_file
from evalspec.lang.parser import decode_source, parse, read_source
from evalspec.lang.resolve import find_root

IR_SUFFIXES = (".json",)


def is_ir_path(path: Path) -> bool:
    """Whether ``path`` names an IR document rather than ``.eval`` source."""
    return path.suffix in IR_SUFFIXES


def parse_path(path: Path, display: str | None = None) -> tuple[ast.File, str]:
    """Read and parse a ``.eval`` file; return the AST and the text."""
    shown = display or path.as_posix()
    text = read_source(path, shown)
    return parse(text, shown), text


def compile_path(path: Path, root: Path | None = None, display: str | None = None) -> ir.EvalFile:
    """Compile a ``.eval`` file, or load an IR document, into IR.

    ``root`` is the project root (found from the file when omitted); ``display`` is the path shown
    in diagnostics (the path as the user wrote it by default).
    """
    shown = display or path.as_posix()
    if is_ir_path(path):
        return load_ir(path, shown)
    root = root or find_root(path.parent)
    tree, _ = parse_path(path, shown)
    return compile_file(tree, shown, root, path.parent)


def compile_text(text: str, path: str = "<string>", root: Path | None = None) -> ir.EvalFile:
    """Compile spec text; references resolve against ``root`` (the current folder by default)."""
    base = root or Path.cwd()
    return compile_file(parse(text, path), path, base, base)


def load_ir(path: Path, display: str | None = None) -> ir.EvalFile:
    """Decode an IR JSON document, mapping schema violations to ES060/ES061 diagnostics."""
    shown = display or path.as_posix()
    with path.open("rb") as handle:
        data = handle.read()
    decode_source(data, shown)  # the same binary, zip and UTF-8 checks as for .eval files
    try:
        doc = ir.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        version = _version_of(data)
        code = codes.IR_VERSION if version not in (None, ir.IR_VERSION) else codes.INVALID_IR
        message = (
            f"IR version {version} is not supported (this runner reads {ir.IR_VERSION})"
            if code == codes.IR_VERSION
            else f"not a valid evalspec IR document: {exc}"
        )
        diag = error(code, message, shown, Span(1, 1, 1, 2))
        raise SchemaError(message, [diag]) from None
    if doc.ir_version != ir.IR_VERSION:
        message = (
            f"IR version {doc.ir_version} is not supported (this runner reads {ir.IR_VERSION})"
        )
        raise SchemaError(message, [error(codes.IR_VERSION, message, shown, Span(1, 1, 1, 2))])
    for regex in (n for n in ir.walk(doc) if isinstance(n, ir.Regex)):
        problem = dialect.check(regex.pattern, regex.flags)
        if problem is not None:
            message = f"regex /{regex.pattern}/{regex.flags}: {problem.message}"
            raise SchemaError(message, [error(codes.INVALID_IR, message, shown, Span(1, 1, 1, 2))])
    return doc


def _version_of(data: bytes) -> object:
    try:
        value = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return None
    return value.get("ir_version") if isinstance(value, dict) else None
