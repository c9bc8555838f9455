"""A content-hash cache of syntax trees, so that unchanged specs are not parsed again.

Parsing is most of lint's cost (Lark's LALR parser in pure Python). The tree of a text depends
on nothing but the text and the parser, so an entry is keyed by the SHA-256 of a parser
fingerprint and the text. The fingerprint covers the grammar, the sources of ``evalspec.lang``
(which build the tree), and the versions of evalspec, Lark, msgspec and Python: any change to
them misses every old entry instead of returning a stale tree. Only texts that parse without
error are stored; findings are never cached, since they depend on files, dates and settings.

Entries are msgpack files under ``<project root>/.evalspec/cache/lint-ast/`` (which holds its
own ``.gitignore``), written atomically; an unreadable entry is a miss; the oldest entries are
removed beyond :data:`MAX_ENTRIES`.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from functools import cache
from pathlib import Path

import msgspec

from evalspec.lang import ast

#: Entries kept per project; older ones are pruned after a run that wrote new ones.
MAX_ENTRIES = 5000
CACHE_DIR = Path(".evalspec") / "cache" / "lint-ast"
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(ast.File)


@cache
def fingerprint() -> bytes:
    """A digest of everything that shapes a syntax tree besides the text."""
    import lark

    from evalspec import _version
    from evalspec._resources import grammar_path

    digest = hashlib.sha256(b"evalspec-lint-ast-v1\0")
    for part in (_version.__version__, lark.__version__, msgspec.__version__, sys.version):
        digest.update(part.encode() + b"\0")
    digest.update(grammar_path().read_bytes())
    for source in sorted(Path(ast.__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.digest()


class AstCache:
    """The tree cache of one project; ``directory=None`` disables it."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.written = 0

    @classmethod
    def for_root(cls, root: Path, enabled: bool = True) -> AstCache:
        """The cache of the project at ``root``."""
        return cls(root / CACHE_DIR if enabled else None)

    def _path(self, text: str) -> Path | None:
        if self.directory is None:
            return None
        key = hashlib.sha256(fingerprint() + text.encode("utf-8")).hexdigest()
        return self.directory / key[:2] / f"{key}.msgpack"

    def get(self, text: str) -> ast.File | None:
        """The cached tree of ``text``, or ``None``."""
        path = self._path(text)
        if path is None:
            return None
        try:
            return _DECODER.decode(path.read_bytes())
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            return None

    def put(self, text: str, tree: ast.File) -> None:
        """Store a tree; any error (read-only folder, full disk) just leaves it uncached."""
        path = self._path(text)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._ignore_file()
            fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(_ENCODER.encode(tree))
            os.replace(temp, path)
            self.written += 1
        except OSError:
            return

    def _ignore_file(self) -> None:
        assert self.directory is not None
        marker = self.directory / ".gitignore"
        if not marker.exists():
            marker.write_text("# written by evalspec lint\n*\n", encoding="utf-8")


def prune(directory: Path, keep: int = MAX_ENTRIES) -> int:
    """Delete the oldest entries beyond ``keep``; return how many were deleted."""
    try:
        entries = [(p.stat().st_mtime, p) for p in directory.glob("*/*.msgpack")]
    except OSError:
        return 0
    if len(entries) <= keep:
        return 0
    entries.sort()
    for _, path in entries[: len(entries) - keep]:
        path.unlink(missing_ok=True)
    return len(entries) - keep
