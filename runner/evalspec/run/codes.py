"""Diagnostic codes of a run (ES6xx): what stops or weakens ``evalspec check``."""

from __future__ import annotations

INVALID_LOCK = "ES601"  # the lock file does not parse or has another version
NO_TRACES = "ES602"  # no trace matched the trace patterns
EXAMPLE_NOT_FOUND = "ES603"  # an example or counter id is not in the trace source
EXEC_NOT_ALLOWED = "ES604"  # the spec runs programs and --allow-exec was not given
JUDGE_INCOMPLETE = "ES605"  # judge verdicts missing: endpoint down, budget spent, offline
SELF_TEST_FAILED = "ES606"  # a guard misses one of its mode's examples or fires on a counter
JUDGE_NOT_CALIBRATED = "ES607"  # a judge mode has no calibration in the lock: rates uncorrected
NO_SUCH_MODE = "ES608"  # --mode names a mode the specs do not define
LABELS_INVALID = "ES609"  # a labels file line is not a valid label
