"""stub"""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.traces.base import Importer, Item
from evalspec.traces.problems import ProblemLog
from evalspec.traces.reader import TraceFile


class OTelImporter(Importer):
    """stub"""

    name = "otel"
    title = "otel"

    def read(self, file: TraceFile, log: ProblemLog) -> Iterator[Item]:
        """Stub."""
        return iter(())
