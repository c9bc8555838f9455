"""File references in a spec: relative to the spec's folder, confined to the project.

The project root is the nearest folder, from the spec upwards, holding ``evalspec.toml``,
``pyproject.toml`` or ``.git`` (or the folder given with ``--root``). A reference is written
relative to the spec file and stored in the IR relative to the root, in POSIX form. Absolute paths,
``..`` that leaves the root, and symbolic links that point outside it are refused: an untrusted spec
must not read files elsewhere on the machine.
"""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath

ROOT_MARKERS = ("evalspec.toml", "pyproject.toml", ".git")


def find_root(start: Path) -> Path:
    """Return the project root for a spec in folder ``start`` (or ``start`` itself)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


class PathRefused(ValueError):
    """A reference that is absolute or leaves the project."""


class Resolver:
    """Resolve references written in the spec at ``spec_dir`` against the project ``root``."""

    def __init__(self, root: Path, spec_dir: Path) -> None:
        self.root = root.resolve()
        self.spec_dir = spec_dir.resolve()
        base = self.spec_dir.relative_to(self.root) if self._inside(self.spec_dir) else Path()
        self._base = PurePosixPath(base.as_posix())

    def project_path(self, written: str) -> str:
        """Return the project-relative POSIX form of ``written``; globs are kept as globs.

        Raises :class:`PathRefused` for absolute paths and paths that climb out of the project.
        """
        if not written:
            raise PathRefused("the path is empty")
        if written.startswith(("/", "\\")) or (len(written) > 1 and written[1] == ":"):
            raise PathRefused("absolute paths are not allowed; write the path relative to the spec")
        joined = posixpath.normpath(str(self._base / written.replace("\\", "/")))
        if joined == ".." or joined.startswith("../"):
            raise PathRefused("the path leaves the project")
        return "." if joined in ("", ".") else joined

    def existing_file(self, project_path: str) -> Path | None:
        """Return the file for a project path if it exists inside the project (links resolved)."""
        candidate = (self.root / project_path).resolve()
        if not self._inside(candidate):
            raise PathRefused("the path leads outside the project through a symbolic link")
        return candidate if candidate.is_file() else None

    def _inside(self, path: Path) -> bool:
        return path == self.root or self.root in path.parents
