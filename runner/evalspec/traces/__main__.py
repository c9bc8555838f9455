"""``python -m evalspec.traces [--write]``: print (or rewrite) the trace record's JSON Schema."""

from __future__ import annotations

import sys

from evalspec.traces.record import main

if __name__ == "__main__":
    sys.exit(main())
