"""A judge's true pass rate from its verdicts: Rogan–Gladen correction with a bootstrap interval.

**Polarity.** As in judgy, Pass = 1 is the positive class: TPR = P(judge Pass | human Pass),
TNR = P(judge Fail | human Fail), and θ is the true *pass* rate. A trace where a failure mode
fired is a 0 (if yours are coded 1, flip them, or read θ_fail = 1 − θ_pass with TPR and TNR
swapping roles).

**Correction.** θ = clip((p_obs + TNR − 1) / (TPR + TNR − 1), 0, 1), where p_obs is the judge's
pass rate on the unlabelled predictions.

**Interval.** A percentile bootstrap over the labelled test set (notes/error-analysis.md §3):

- ``method="judgy"`` replays judgy 0.1.0 bit for bit for the same inputs and seed (as if
  ``np.random.seed(seed)`` ran right before ``judgy.estimate_success_rate``): p_obs is held fixed,
  so the interval ignores the sampling error of the unlabelled pool.
- ``method="full"`` (the default) also resamples the unlabelled predictions inside each valid
  draw, from the same stream, so a small pool widens the interval as it should.

**EvalGen's metrics** (Shankar et al., UIST 2024; human Pass = thumbs-up, judge Fail = "flagged")
come from the same confusion matrix: coverage = TNR (share of human Fails flagged),
false-failure rate = 1 − TPR (share of human Passes flagged), alignment = harmonic mean of
coverage and 1 − FFR, i.e. of TNR and TPR.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator, Sequence
from typing import Any, Literal

import msgspec

from evalspec.judge.mt19937 import SEED_MAX, IndexTally, LegacyStream

__all__ = [
    "MAX_SKIPPED_SHARE",
    "MIN_CLASS_COUNT",
    "MIN_CLASS_SHARE",
    "MIN_LABELS",
    "MIN_POOL_FOR_JUDGY",
    "MIN_YOUDEN",
    "Confusion",
    "Estimate",
    "EstimateError",
    "EstimateWarning",
    "Method",
    "NoValidDrawsError",
    "confusion",
    "estimate",
    "percentile",
    "rogan_gladen",
]

Method = Literal["full", "judgy"]

#: Warn when TPR + TNR − 1 (Youden's J, the correction's denominator) is below this.
MIN_YOUDEN = 0.2
#: Warn with fewer test labels than this (notes §2: "Below ~60 labels the intervals get wide").
MIN_LABELS = 60
#: Warn when a class has fewer items than this ...
MIN_CLASS_COUNT = 5
#: ... or a smaller share of the test labels than this.
MIN_CLASS_SHARE = 0.10
#: Warn, for ``method="judgy"``, when the unlabelled pool is smaller than this.
MIN_POOL_FOR_JUDGY = 500
#: Warn when more than this share of the bootstrap draws was skipped.
MAX_SKIPPED_SHARE = 0.05

# Codes of a test item in the bootstrap tally: the cells of the confusion matrix.
_TP, _FN, _TN, _FP = range(4)
# Test indices drawn per bulk call (bounds memory: one byte per index).
_BULK_DRAWS = 1 << 20


class EstimateError(ValueError):
    """Inputs the estimate cannot use. Messages and their order are judgy 0.1.0's.

    Attributes:
        subject: The offending input (``"test_labels"``, ``"test_preds"``,
            ``"unlabeled_preds"``), or ``None`` for a parameter.
    """

    def __init__(self, message: str, subject: str | None = None) -> None:
        super().__init__(message)
        self.subject = subject


class NoValidDrawsError(EstimateError, RuntimeError):
    """Every bootstrap draw was skipped (judgy raises ``RuntimeError`` here)."""


class Confusion(msgspec.Struct, frozen=True, kw_only=True):
    """Paired human labels and judge verdicts, Pass = 1 positive.

    ``tp``: human Pass, judge Pass; ``fn``: human Pass, judge Fail (a false failure);
    ``tn``: human Fail, judge Fail (a covered failure); ``fp``: human Fail, judge Pass (missed).
    """

    tp: int
    fn: int
    tn: int
    fp: int

    @property
    def positives(self) -> int:
        """Items a human marked Pass."""
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        """Items a human marked Fail."""
        return self.tn + self.fp

    @property
    def tpr(self) -> float | None:
        """P(judge Pass | human Pass); ``None`` without human Passes."""
        return self.tp / self.positives if self.positives else None

    @property
    def tnr(self) -> float | None:
        """P(judge Fail | human Fail); ``None`` without human Fails."""
        return self.tn / self.negatives if self.negatives else None

    @property
    def coverage(self) -> float:
        """EvalGen's coverage, = TNR; 1.0 without human Fails, as in EvalGen."""
        return self.tn / self.negatives if self.negatives else 1.0

    @property
    def false_failure_rate(self) -> float:
        """EvalGen's false-failure rate, = 1 − TPR; 0.0 without human Passes (none to flag)."""
        return self.fn / self.positives if self.positives else 0.0

    @property
    def alignment(self) -> float:
        """EvalGen's alignment: 2·cov·(1 − FFR) / (cov + 1 − FFR); 0.0 when both are 0."""
        cov, ffr = self.coverage, self.false_failure_rate
        denominator = cov + 1 - ffr
        return 2 * cov * (1 - ffr) / denominator if denominator else 0.0


class EstimateWarning(msgspec.Struct, frozen=True):
    """A reason to distrust an estimate: a stable kebab-case ``code`` and a sentence."""

    code: str
    message: str


class Estimate(msgspec.Struct, frozen=True, kw_only=True):
    """The corrected pass rate, its interval, and what it was computed from.

    ``theta`` is clipped to [0, 1]; ``theta_raw`` is not. ``lower``/``upper`` are the
    bootstrap percentiles; ``theta`` comes from the full test set, so it can lie outside them.
    ``valid_draws`` counts the bootstrap draws that were not skipped (a class missing from the
    draw, or TPR + TNR ≤ 1 in it). ``seed`` is the seed used, drawn at random if none was given.
    """

    method: Method
    theta: float
    lower: float
    upper: float
    theta_raw: float
    p_obs: float
    tpr: float
    tnr: float
    confidence: float
    iterations: int
    valid_draws: int
    seed: int
    confusion: Confusion
    unlabeled: int
    unlabeled_pass: int
    warnings: tuple[EstimateWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: the fields above, plus EvalGen's metrics under ``confusion``.

        Floats stay Python floats, so ``json.dumps`` writes them exactly (shortest round-trip).
        """
        data: dict[str, Any] = msgspec.to_builtins(self)
        counts = self.confusion
        data["confusion"].update(
            coverage=counts.coverage,
            false_failure_rate=counts.false_failure_rate,
            alignment=counts.alignment,
        )
        return data


def confusion(labels: Sequence[int], preds: Sequence[int]) -> Confusion:
    """Count the confusion matrix of paired 0/1 human ``labels`` and judge ``preds``.

    Raises:
        EstimateError: If the lengths differ or a value is not 0 or 1.
    """
    if len(labels) != len(preds):
        raise EstimateError(
            f"labels and preds must have the same length. Got {len(labels)} and {len(preds)}",
            "preds",
        )
    _check_binary(labels, "labels")
    _check_binary(preds, "preds")
    cells = [0, 0, 0, 0]
    for code in map(_cell, labels, preds):
        cells[code] += 1
    return Confusion(tp=cells[_TP], fn=cells[_FN], tn=cells[_TN], fp=cells[_FP])


def rogan_gladen(p_obs: float, tpr: float, tnr: float) -> float:
    """Return the corrected rate clip((p_obs + TNR − 1) / (TPR + TNR − 1), 0, 1).

    Raises:
        EstimateError: If TPR + TNR ≤ 1 (judgy's message).
    """
    return _clip(_raw_theta(p_obs, tpr, tnr))


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Return ``numpy.percentile(values, q)`` (default ``linear`` method), bit for bit.

    numpy interpolates with ``_lerp``: ``a + (b − a)·g`` below g = 0.5, ``b − (b − a)·(1 − g)``
    from there; the plain formula differs in the last bit now and then.

    Args:
        sorted_values: The samples, sorted ascending; at least one.
        q: The percentile, in [0, 100].
    """
    last = len(sorted_values) - 1
    h = last * (q / 100)
    if h >= last:
        return sorted_values[last]
    i = math.floor(h)
    g = h - i
    a, b = sorted_values[i], sorted_values[i + 1]
    diff = b - a
    return b - diff * (1 - g) if g >= 0.5 else a + diff * g


def estimate(
    test_labels: Sequence[int],
    test_preds: Sequence[int],
    unlabeled_preds: Sequence[int],
    *,
    method: Method = "full",
    iterations: int = 20000,
    confidence: float = 0.95,
    seed: int | None = None,
) -> Estimate:
    """Estimate the true pass rate behind a judge's verdicts on ``unlabeled_preds``.

    Args:
        test_labels: 0/1 human labels on the labelled test set (1 = Pass).
        test_preds: 0/1 judge verdicts on the same items, in the same order.
        unlabeled_preds: 0/1 judge verdicts on the unlabelled (production) items.
        method: ``"full"`` also resamples ``unlabeled_preds``; ``"judgy"`` replays judgy 0.1.0.
        iterations: Bootstrap draws (judgy's ``bootstrap_iterations``).
        confidence: Interval coverage, strictly between 0 and 1 (judgy's ``confidence_level``).
        seed: The numpy legacy seed, in [0, 2**32 − 1]; ``None`` draws one (see ``Estimate.seed``).

    Raises:
        EstimateError: On invalid inputs, with judgy's messages in judgy's order.
        NoValidDrawsError: If every bootstrap draw was skipped.
    """
    seed = _check_options(method, seed)
    _check_inputs(test_labels, test_preds, unlabeled_preds, iterations, confidence)
    counts = confusion(test_labels, test_preds)
    if counts.positives == 0 or counts.negatives == 0:
        raise EstimateError(
            "test_labels must contain both positive and negative examples", "test_labels"
        )
    tpr, tnr = counts.tp / counts.positives, counts.tn / counts.negatives
    ones = sum(1 for v in unlabeled_preds if v == 1)
    p_obs = ones / len(unlabeled_preds)
    theta_raw = _raw_theta(p_obs, tpr, tnr)
    samples = _bootstrap(test_labels, test_preds, unlabeled_preds, p_obs, method, iterations, seed)
    alpha = 1 - confidence
    result = Estimate(
        method=method,
        theta=_clip(theta_raw),
        lower=percentile(samples, (alpha / 2) * 100),
        upper=percentile(samples, (1 - alpha / 2) * 100),
        theta_raw=theta_raw,
        p_obs=p_obs,
        tpr=tpr,
        tnr=tnr,
        confidence=confidence,
        iterations=iterations,
        valid_draws=len(samples),
        seed=seed,
        confusion=counts,
        unlabeled=len(unlabeled_preds),
        unlabeled_pass=ones,
    )
    return msgspec.structs.replace(result, warnings=_warnings(result))


def _check_options(method: str, seed: int | None) -> int:
    """Check evalspec's own options (before judgy's checks, as ``np.random.seed`` runs first)."""
    if method not in ("full", "judgy"):
        raise EstimateError(f"method must be 'full' or 'judgy', got {method!r}")
    if seed is None:
        return secrets.randbelow(SEED_MAX + 1)
    if not 0 <= seed <= SEED_MAX:
        raise EstimateError("Seed must be between 0 and 2**32 - 1")
    return seed


def _check_inputs(
    test_labels: Sequence[int],
    test_preds: Sequence[int],
    unlabeled_preds: Sequence[int],
    iterations: int,
    confidence: float,
) -> None:
    """Run judgy's checks, in judgy's order, with judgy's messages."""
    if not 0 < confidence < 1:
        raise EstimateError("confidence_level must be between 0 and 1")
    if iterations <= 0:
        raise EstimateError("bootstrap_iterations must be positive")
    if len(test_labels) != len(test_preds):
        raise EstimateError(
            "test_labels and test_preds must have the same length. "
            f"Got {len(test_labels)} and {len(test_preds)}",
            "test_preds",
        )
    if len(test_labels) == 0:
        raise EstimateError("test_labels cannot be empty", "test_labels")
    if len(unlabeled_preds) == 0:
        raise EstimateError("unlabeled_preds cannot be empty", "unlabeled_preds")
    _check_binary(test_labels, "test_labels")
    _check_binary(test_preds, "test_preds")
    _check_binary(unlabeled_preds, "unlabeled_preds")


def _check_binary(values: Sequence[int], name: str) -> None:
    if not all(v == 0 or v == 1 for v in values):
        raise EstimateError(f"{name} must contain only 0 and 1 values", name)


def _cell(label: int, pred: int) -> int:
    if label == 1:
        return _TP if pred == 1 else _FN
    return _FP if pred == 1 else _TN


def _raw_theta(p_obs: float, tpr: float, tnr: float) -> float:
    denominator = tpr + tnr - 1
    if denominator <= 0:
        raise EstimateError(
            f"Judge accuracy too low for correction. TPR + TNR = {tpr + tnr:.3f} <= 1. "
            "Judge must be better than random.",
            "test_preds",
        )
    return (p_obs + tnr - 1) / denominator


def _clip(theta: float) -> float:
    return 0.0 if theta < 0 else 1.0 if theta > 1 else theta


def _bootstrap(
    test_labels: Sequence[int],
    test_preds: Sequence[int],
    unlabeled_preds: Sequence[int],
    p_obs: float,
    method: Method,
    iterations: int,
    seed: int,
) -> list[float]:
    """Return the sorted bootstrap θ samples, drawing exactly what judgy (or §3.4's full) draws.

    Per draw judgy takes n test indices, skips the draw when a class is missing or TPR + TNR ≤ 1
    (the skipped indices stay consumed) and otherwise corrects the fixed p_obs. ``full`` then
    draws |u| indices into the unlabelled predictions and corrects their mean instead.
    """
    stream = LegacyStream(seed)
    n, m = len(test_labels), len(unlabeled_preds)
    test = IndexTally(list(map(_cell, test_labels, test_preds)), ncodes=4)
    pool = IndexTally([int(v) for v in unlabeled_preds], ncodes=2) if method == "full" else None
    samples: list[float] = []
    for tp, fn, tn in _test_draws(test, stream, iterations, bulk=pool is None):
        positives = tp + fn
        if positives == 0 or positives == n:
            continue
        tpr, tnr = tp / positives, tn / (n - positives)
        denominator = tpr + tnr - 1
        if denominator <= 0:
            continue
        p = p_obs if pool is None else pool.draw(stream, m)[1] / m
        samples.append(_clip((p + tnr - 1) / denominator))
    if not samples:
        raise NoValidDrawsError(
            "No valid bootstrap samples generated. This may indicate "
            "insufficient test data or very poor judge performance.",
            "test_labels",
        )
    samples.sort()
    return samples


def _test_draws(
    test: IndexTally, stream: LegacyStream, iterations: int, *, bulk: bool
) -> Iterator[tuple[int, int, int]]:
    """Yield (TP, FN, TN) of each bootstrap draw of n = ``len(test.codes)`` test items.

    With ``bulk`` (nothing else draws from ``stream`` in between), many samples are drawn per
    call and each slice is counted, which saves most of the per-draw overhead.
    """
    n = len(test.codes)
    if not bulk or n > 256:
        for _ in range(iterations):
            tp, fn, tn, _fp = test.draw(stream, n)
            yield tp, fn, tn
        return
    per_chunk = max(1, _BULK_DRAWS // n)
    for first in range(0, iterations, per_chunk):
        codes = test.sequence(stream, n * min(per_chunk, iterations - first))
        for start in range(0, len(codes), n):
            draw = codes[start : start + n]
            yield draw.count(_TP), draw.count(_FN), draw.count(_TN)


def _warnings(result: Estimate) -> tuple[EstimateWarning, ...]:
    """Return the reasons to distrust ``result`` in a fixed order (thresholds: module constants)."""
    checks = [*_judge_checks(result), *_label_checks(result.confusion), *_draw_checks(result)]
    return tuple(EstimateWarning(code, message) for hit, code, message in checks if hit)


_Check = tuple[bool, str, str]  # (fires, code, message)


def _judge_checks(result: Estimate) -> list[_Check]:
    youden = result.tpr + result.tnr - 1
    weak = (
        f"TPR + TNR - 1 = {youden:.3f} is below {MIN_YOUDEN}: the correction divides by it, "
        "so small errors in TPR or TNR move the estimate a lot"
    )
    clipped = (
        f"the corrected rate {result.theta_raw:.3f} lies outside [0, 1] and was clipped: "
        "p_obs does not fit the judge's TPR and TNR"
    )
    return [
        (youden < MIN_YOUDEN, "weak-judge", weak),
        (result.theta_raw != result.theta, "clipped", clipped),
    ]


def _label_checks(counts: Confusion) -> list[_Check]:
    n = counts.positives + counts.negatives
    checks = [
        (
            n < MIN_LABELS,
            "few-labels",
            f"only {n} test labels (fewer than {MIN_LABELS}): TPR, TNR and the interval are loose",
        )
    ]
    for name, count, rate in (("Pass", counts.positives, "TPR"), ("Fail", counts.negatives, "TNR")):
        rare = count < MIN_CLASS_COUNT or count < MIN_CLASS_SHARE * n
        message = (
            f"only {count} of {n} test labels are human {name}, so {rate} rests on few items: "
            "label about as many Pass as Fail"
        )
        checks.append((rare, "rare-class", message))
    return checks


def _draw_checks(result: Estimate) -> list[_Check]:
    skipped = result.iterations - result.valid_draws
    skipped_message = (
        f"{skipped} of {result.iterations} bootstrap draws were skipped (a class missing or "
        "TPR + TNR <= 1 in the draw): the interval only reflects the draws kept"
    )
    pool_message = (
        "the judgy interval holds p_obs fixed, ignoring the sampling error of only "
        f"{result.unlabeled} unlabelled predictions: use method 'full'"
    )
    return [
        (skipped > MAX_SKIPPED_SHARE * result.iterations, "skipped-draws", skipped_message),
        (
            result.method == "judgy" and result.unlabeled < MIN_POOL_FOR_JUDGY,
            "small-pool",
            pool_message,
        ),
        (
            not result.lower <= result.theta <= result.upper,
            "outside-interval",
            "the point estimate lies outside its bootstrap interval: do not trust the interval",
        ),
    ]
