"""ES4xx, judges: an LLM judge is only as good as its validation against human labels.

The lock file (``evalspec.lock`` at the project root) records each judge's calibration under
``specs."<spec path>".judges."<mode>/<judge>"``: TPR and TNR on the test split, and the hashes
of the labels and the prompt they were measured with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from evalspec import ir
from evalspec.diagnostics import Diagnostic, Span
from evalspec.judge.calibrate import calibration_drift, read_prompt
from evalspec.judge.estimate import MIN_LABELS  # the threshold calibration warns at, too
from evalspec.lint.base import LintContext, Rule, rule
from evalspec.lint.nodes import judge_field, judge_node, judges

_SCALE = re.compile(
    r"""\blikert\b
    | \bon\s+a\s+(?:\d+\s*-?\s*point\s+)?scale\b
    | \bscale\s+(?:of|from)\s+\d
    | \b(?:score|rate|rating|grade)\b[^.\n]{0,40}?\b\d+\s*(?:-|–|to)\s*\d+\b
    | \b(?:give|assign|output|return|provide)\b[^.\n]{0,30}?\b(?:score|rating|grade)\b
    | \b\d+\s*/\s*(?:5|10|100)\b
    | \bout\s+of\s+(?:5|10|100)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_NEGATION = re.compile(r"\b(?:not|never|no|don't|without)\b", re.IGNORECASE)


def asks_for_score(prompt: str) -> str | None:
    """The first wording that asks for a score, unless the sentence negates it ("no score")."""
    for match in _SCALE.finditer(prompt):
        sentence = re.split(r"[.!?\n]", prompt[: match.start()])[-1]
        if not _NEGATION.search(sentence + match.group()):
            return match.group()
    return None


def _span(ctx: LintContext, mode: ir.Mode, guard: ir.JudgeGuard, field: str | None = None) -> Span:
    """The judge's name, or one of its fields, as written."""
    node = judge_node(ctx.mode_node(mode.name), guard.name)
    written = judge_field(node, field) if field else None
    if written is not None:
        return written.value.span
    return node.name.span if node else guard.span


def _decided(ctx: LintContext, mode: ir.Mode, guard: ir.JudgeGuard) -> list[str] | None:
    """The pass/fail labels of a judge's labels file about its mode (``None``: unreadable)."""
    if guard.labels is None:
        return []
    labels = ctx.labels(guard.labels)
    if labels is None:
        return None
    return [x.label for x in labels if x.label and x.mode in (None, mode.name)]


@rule
class JudgeNotCalibrated(Rule):
    """A judge has never been calibrated: the lock file holds no TPR and TNR for it.

    A judge's raw failure rate is biased by its errors. Calibration measures how often it
    agrees with human labels on Pass (TPR) and on Fail (TNR), on a test split it never saw;
    `check` then corrects the rate (Rogan-Gladen) and gives an honest interval. Without
    calibration nobody knows whether the judge catches the mode at all.

    **Anti-pattern**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? {{output}}"
      }
    }
    ```

    **Best practice**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? {{output}}"
      }
    }
    ```

    ```toml file=evalspec.lock
    version = 1

    [specs."spec.eval".judges."wrong_tone/tone"]
    model = "gpt-4.1-mini"
    prompt_sha256 = "ba207645d895529f2ac07b3d25fd7b7fb7cc73cabc968f2278eaf70b0521e018"
    labels_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    labels = 100
    split = [15, 40, 45]
    seed = 42
    train = 15
    dev = 40
    test = 45
    dev_tpr = "0.93"
    dev_tnr = "0.9"
    tpr = "0.92"
    tnr = "0.91"
    tp = 23
    fn = 2
    tn = 18
    fp = 2
    calibrated = "2026-11-20"
    ```
    """

    code = "ES401"
    name = "judge-not-calibrated"
    groups = ("judges",)
    needs = "ir"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report judges without a calibration entry in the lock."""
        assert ctx.doc is not None
        entry = ctx.spec_lock()
        for mode, guard in judges(ctx.doc):
            if entry is None or f"{mode.name}/{guard.name}" not in entry.judges:
                yield self.finding(
                    ctx, _span(ctx, mode, guard),
                    f"judge '{guard.name}' of mode '{mode.name}' was never calibrated: its "
                    "accuracy is unknown and its rates uncorrected",
                    hint="label traces, then run  evalspec judge calibrate",
                )  # fmt: skip


@rule
class JudgeCalibrationStale(Rule):
    """A judge's labels or prompt changed since it was calibrated.

    The lock records the hashes of the labels and the prompt that the judge's TPR and TNR were
    measured with. After either changes, the recorded rates describe another judge, and the
    corrected rates `check` reports are wrong. Recalibrate after every prompt or label change.

    **Anti-pattern**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? Say FAIL if so. {{output}}"
      }
    }
    ```

    ```toml file=evalspec.lock
    version = 1

    [specs."spec.eval".judges."wrong_tone/tone"]
    model = "gpt-4.1-mini"
    prompt_sha256 = "ba207645d895529f2ac07b3d25fd7b7fb7cc73cabc968f2278eaf70b0521e018"
    labels_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    labels = 100
    split = [15, 40, 45]
    seed = 42
    train = 15
    dev = 40
    test = 45
    dev_tpr = "0.93"
    dev_tnr = "0.9"
    tpr = "0.92"
    tnr = "0.91"
    tp = 23
    fn = 2
    tn = 18
    fp = 2
    calibrated = "2026-11-20"
    ```

    **Best practice**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? {{output}}"
      }
    }
    ```

    ```toml file=evalspec.lock
    version = 1

    [specs."spec.eval".judges."wrong_tone/tone"]
    model = "gpt-4.1-mini"
    prompt_sha256 = "ba207645d895529f2ac07b3d25fd7b7fb7cc73cabc968f2278eaf70b0521e018"
    labels_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    labels = 100
    split = [15, 40, 45]
    seed = 42
    train = 15
    dev = 40
    test = 45
    dev_tpr = "0.93"
    dev_tnr = "0.9"
    tpr = "0.92"
    tnr = "0.91"
    tp = 23
    fn = 2
    tn = 18
    fp = 2
    calibrated = "2026-11-20"
    ```
    """

    code = "ES402"
    name = "judge-calibration-stale"
    groups = ("judges",)
    needs = "ir"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Compare the lock's hashes with the current labels and prompt."""
        assert ctx.doc is not None
        entry = ctx.spec_lock()
        for mode, guard in judges(ctx.doc):
            calibration = entry.judges.get(f"{mode.name}/{guard.name}") if entry else None
            if calibration is None:
                continue
            changed = calibration_drift(ctx.root, guard, calibration)
            if changed:
                yield self.finding(
                    ctx, _span(ctx, mode, guard),
                    f"judge '{guard.name}' of mode '{mode.name}': its {' and '.join(changed)} "
                    f"changed since it was calibrated on {calibration.calibrated}",
                    hint="run  evalspec judge calibrate  again; the lock's TPR and TNR are stale",
                )  # fmt: skip


@rule
class JudgeTooFewLabels(Rule):
    """A judge has fewer than 60 decided human labels to be calibrated on.

    TPR and TNR are measured on the test split only (about 45% of the labels), so a few dozen
    labels give intervals too wide to correct anything. Aim for about 100, balanced between
    Pass and Fail even when production is skewed; below 60 the numbers mean little. A judge
    without a `labels` file has none at all.

    **Anti-pattern**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? {{output}}"
        labels "labels/tone.jsonl"
      }
    }
    ```

    ```jsonl file=labels/tone.jsonl
    {"trace_id": "tr_0001", "label": "pass"}
    {"trace_id": "tr_0002", "label": "fail", "note": "Obviously you did not read the FAQ."}
    ```

    **Best practice**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? {{output}}"
        labels "labels/tone.jsonl"
      }
    }
    ```

    ```jsonl file=labels/tone.jsonl
    {"trace_id": "tr_0001", "label": "pass"}
    {"trace_id": "tr_0002", "label": "fail"}
    {"trace_id": "tr_0003", "label": "pass"}
    {"trace_id": "tr_0004", "label": "fail"}
    {"trace_id": "tr_0005", "label": "pass"}
    {"trace_id": "tr_0006", "label": "fail"}
    {"trace_id": "tr_0007", "label": "pass"}
    {"trace_id": "tr_0008", "label": "fail"}
    {"trace_id": "tr_0009", "label": "pass"}
    {"trace_id": "tr_0010", "label": "fail"}
    {"trace_id": "tr_0011", "label": "pass"}
    {"trace_id": "tr_0012", "label": "fail"}
    {"trace_id": "tr_0013", "label": "pass"}
    {"trace_id": "tr_0014", "label": "fail"}
    {"trace_id": "tr_0015", "label": "pass"}
    {"trace_id": "tr_0016", "label": "fail"}
    {"trace_id": "tr_0017", "label": "pass"}
    {"trace_id": "tr_0018", "label": "fail"}
    {"trace_id": "tr_0019", "label": "pass"}
    {"trace_id": "tr_0020", "label": "fail"}
    {"trace_id": "tr_0021", "label": "pass"}
    {"trace_id": "tr_0022", "label": "fail"}
    {"trace_id": "tr_0023", "label": "pass"}
    {"trace_id": "tr_0024", "label": "fail"}
    {"trace_id": "tr_0025", "label": "pass"}
    {"trace_id": "tr_0026", "label": "fail"}
    {"trace_id": "tr_0027", "label": "pass"}
    {"trace_id": "tr_0028", "label": "fail"}
    {"trace_id": "tr_0029", "label": "pass"}
    {"trace_id": "tr_0030", "label": "fail"}
    {"trace_id": "tr_0031", "label": "pass"}
    {"trace_id": "tr_0032", "label": "fail"}
    {"trace_id": "tr_0033", "label": "pass"}
    {"trace_id": "tr_0034", "label": "fail"}
    {"trace_id": "tr_0035", "label": "pass"}
    {"trace_id": "tr_0036", "label": "fail"}
    {"trace_id": "tr_0037", "label": "pass"}
    {"trace_id": "tr_0038", "label": "fail"}
    {"trace_id": "tr_0039", "label": "pass"}
    {"trace_id": "tr_0040", "label": "fail"}
    {"trace_id": "tr_0041", "label": "pass"}
    {"trace_id": "tr_0042", "label": "fail"}
    {"trace_id": "tr_0043", "label": "pass"}
    {"trace_id": "tr_0044", "label": "fail"}
    {"trace_id": "tr_0045", "label": "pass"}
    {"trace_id": "tr_0046", "label": "fail"}
    {"trace_id": "tr_0047", "label": "pass"}
    {"trace_id": "tr_0048", "label": "fail"}
    {"trace_id": "tr_0049", "label": "pass"}
    {"trace_id": "tr_0050", "label": "fail"}
    {"trace_id": "tr_0051", "label": "pass"}
    {"trace_id": "tr_0052", "label": "fail"}
    {"trace_id": "tr_0053", "label": "pass"}
    {"trace_id": "tr_0054", "label": "fail"}
    {"trace_id": "tr_0055", "label": "pass"}
    {"trace_id": "tr_0056", "label": "fail"}
    {"trace_id": "tr_0057", "label": "pass"}
    {"trace_id": "tr_0058", "label": "fail"}
    {"trace_id": "tr_0059", "label": "pass"}
    {"trace_id": "tr_0060", "label": "fail"}
    ```
    """

    code = "ES403"
    name = "judge-too-few-labels"
    groups = ("judges",)
    needs = "ir"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Count each judge's decided labels."""
        assert ctx.doc is not None
        for mode, guard in judges(ctx.doc):
            decided = _decided(ctx, mode, guard)
            if decided is None or len(decided) >= MIN_LABELS:
                continue
            what = (f"only {len(decided)} decided labels" if decided
                    else "no decided labels" if guard.labels else "no labels file")  # fmt: skip
            yield self.finding(
                ctx, _span(ctx, mode, guard, "labels"),
                f"judge '{guard.name}' of mode '{mode.name}' has {what}; calibration needs at "
                f"least {MIN_LABELS}",
                hint="label about 100 traces, half pass and half fail, in the judge's labels file",
            )  # fmt: skip


@rule
class JudgeLabelsOneClass(Rule):
    """A judge's labels are all `pass` or all `fail`.

    With Pass as the positive class, TPR is measured on traces humans passed and TNR on
    traces humans failed. With one class missing, one of the two cannot be measured at all,
    and the judge cannot be calibrated. Label failures on purpose, even when they are rare.

    **Anti-pattern**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? {{output}}"
        labels "labels/tone.jsonl"
      }
    }
    ```

    ```jsonl file=labels/tone.jsonl
    {"trace_id": "tr_0001", "label": "pass"}
    {"trace_id": "tr_0002", "label": "pass"}
    ```

    **Best practice**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? {{output}}"
        labels "labels/tone.jsonl"
      }
    }
    ```

    ```jsonl file=labels/tone.jsonl
    {"trace_id": "tr_0001", "label": "pass"}
    {"trace_id": "tr_0002", "label": "fail", "note": "Obviously you did not read the FAQ."}
    ```
    """

    code = "ES404"
    name = "judge-labels-one-class"
    groups = ("judges",)
    needs = "ir"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Report judges whose decided labels lack pass or fail."""
        assert ctx.doc is not None
        for mode, guard in judges(ctx.doc):
            decided = set(_decided(ctx, mode, guard) or ())
            if len(decided) != 1:
                continue
            missing, rate = ("fail", "TNR") if decided == {"pass"} else ("pass", "TPR")
            yield self.finding(
                ctx, _span(ctx, mode, guard, "labels"),
                f"judge '{guard.name}' of mode '{mode.name}' has no '{missing}' label: its "
                f"{rate} cannot be measured",
                hint=f"label traces that humans judge '{missing}' too",
            )  # fmt: skip


@rule
class JudgeScoreScale(Rule):
    """A judge prompt asks for a score on a scale instead of PASS or FAIL.

    Scales (1-5, Likert, "out of 10") are subjective, attract middle values, need larger
    samples and say nothing actionable; the judge's answer is parsed as PASS or FAIL only, so
    a score comes back as an error. Judge one failure mode, binary, and express degrees as
    several binary checks.

    **Anti-pattern**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Rate the politeness of this reply on a scale of 1 to 5: {{output}}"
      }
    }
    ```

    **Best practice**

    ```eval
    mode wrong_tone "Curt, sarcastic or blaming tone" {
      judge tone {
        prompt "Is this reply curt, sarcastic or blaming? FAIL if it is, else PASS: {{output}}"
      }
    }
    ```
    """

    code = "ES405"
    name = "judge-score-scale"
    groups = ("judges",)
    needs = "ir"

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """Search each judge prompt for score-scale wording."""
        assert ctx.doc is not None
        for mode, guard in judges(ctx.doc):
            try:
                wording = asks_for_score(read_prompt(ctx.root, guard))
            except (OSError, UnicodeDecodeError):  # the compiler reports a missing file (ES039)
                continue
            if wording is None:
                continue
            field = "prompt" if guard.prompt is not None else "prompt_file"
            yield self.finding(
                ctx, _span(ctx, mode, guard, field),
                f"the prompt of judge '{guard.name}' asks for a score ('{wording}'); a "
                "judge answers PASS or FAIL",
                hint="say what FAIL means for this one mode; split degrees into binary checks",
            )  # fmt: skip
