"""Judge estimates: judgy 0.1.0 parity (notes/error-analysis.md §3.4), EvalGen metrics, warnings.

Every reference number below was measured with judgy 0.1.0 on numpy 2.4.6 and is asserted with
``==``: the implementation must be bit-identical, not close. Case F's inputs come from
``numpy.random.RandomState(123).rand(...)``, replayed by ``LegacyStream.random`` (the counts
76 / 44 / 1,229 from the notes check that replay independently).
"""

from __future__ import annotations

import functools
import json
from collections import Counter

import pytest

from evalspec.judge.estimate import (
    Confusion,
    Estimate,
    EstimateError,
    NoValidDrawsError,
    confusion,
    estimate,
    percentile,
    rogan_gladen,
)
from evalspec.judge.mt19937 import IndexTally, LegacyStream, init_genrand

Inputs = tuple[list[int], list[int], list[int]]


def generate_test_data(
    n_pos: int, n_neg: int, tpr: float, tnr: float
) -> tuple[list[int], list[int]]:
    """judgy.synthetic.generate_test_data: deterministic blocks (notes §3.1)."""
    tp, tn = int(tpr * n_pos), int(tnr * n_neg)
    labels = [1] * n_pos + [0] * n_neg
    preds = [1] * tp + [0] * (n_pos - tp) + [0] * tn + [1] * (n_neg - tn)
    return labels, preds


@functools.cache
def case_f() -> Inputs:
    """Case F: RandomState(123); y, then p from two more rand(120) draws, then u (notes §3.4)."""
    rs = LegacyStream(123)
    y = [int(rs.random() < 0.6) for _ in range(120)]
    hit = [rs.random() < 0.93 for _ in range(120)]
    false_pass = [rs.random() >= 0.86 for _ in range(120)]
    p = [int(hit[i] if y[i] else false_pass[i]) for i in range(120)]
    u = [int(rs.random() < 0.62) for _ in range(2000)]
    return y, p, u


def case(name: str) -> Inputs:
    b_labels, b_preds = generate_test_data(50, 50, 0.9, 0.8)
    c_labels, c_preds = generate_test_data(40, 60, 0.85, 0.75)
    cases: dict[str, Inputs] = {
        "A": ([1, 1, 0, 0, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0, 1, 0], [1, 1, 0, 1, 0, 1, 0, 1]),
        "B": (b_labels, b_preds, [1] * 700 + [0] * 300),
        "C-low": (c_labels, c_preds, [1] * 10 + [0] * 90),
        "C-high": (c_labels, c_preds, [1] * 95 + [0] * 5),
        "D": (
            [1, 1, 1, 1, 1, 1, 1, 0, 0, 1],
            [1, 1, 1, 1, 1, 1, 0, 0, 1, 1],
            [1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1],
        ),
        "E": ([1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 1]),
        "F": case_f(),
    }
    return cases[name]


# (case, seed, iterations, confidence, TPR, TNR, p_obs, raw θ, (θ̂, lower, upper), valid draws)
JUDGY_REFERENCE = [
    ("A", 0, 20000, 0.95, 0.75, 0.75, 0.625, 0.75, (0.75, 0.0, 1.0), 17615),
    (
        "B", 42, 20000, 0.95, 0.9, 0.8, 0.7, 0.7142857142857141,
        (0.7142857142857141, 0.6220640569395016, 0.8241279069767442), 20000,
    ),
    (
        "B", 42, 2000, 0.90, 0.9, 0.8, 0.7, 0.7142857142857141,
        (0.7142857142857141, 0.6336979382821939, 0.80426622647133), 2000,
    ),
    ("C-low", 7, 5000, 0.95, 0.85, 0.75, 0.1, -0.25, (0.0, 0.0, 0.0), 5000),
    ("C-high", 7, 5000, 0.95, 0.85, 0.75, 0.95, 1.1666666666666665, (1.0, 1.0, 1.0), 5000),
    (
        "D", 1, 20000, 0.95, 0.875, 0.5, 0.75, 0.6666666666666666,
        (0.6666666666666666, 0.0, 1.0), 12808,
    ),
    (
        "F", 2024, 20000, 0.95, 0.9342105263157895, 0.7727272727272727, 0.6145,
        0.5477529610829103, (0.5477529610829103, 0.43806390977443604, 0.6294636277489936), 20000,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "seed", "iterations", "confidence", "tpr", "tnr", "p_obs", "raw", "bounds", "valid"),
    JUDGY_REFERENCE,
    ids=["A", "B", "B-prime", "C-low", "C-high", "D", "F"],
)
def test_judgy_reference_runs(
    name: str,
    seed: int,
    iterations: int,
    confidence: float,
    tpr: float,
    tnr: float,
    p_obs: float,
    raw: float,
    bounds: tuple[float, float, float],
    valid: int,
) -> None:
    result = estimate(
        *case(name), method="judgy", iterations=iterations, confidence=confidence, seed=seed
    )
    assert (result.theta, result.lower, result.upper) == bounds
    assert (result.tpr, result.tnr, result.p_obs, result.theta_raw) == (tpr, tnr, p_obs, raw)
    assert result.valid_draws == valid
    assert (result.iterations, result.seed, result.method) == (iterations, seed, "judgy")


def test_case_e_is_rejected_like_judgy() -> None:
    with pytest.raises(EstimateError) as info:
        estimate(*case("E"), method="judgy", iterations=100, seed=0)
    assert str(info.value) == (
        "Judge accuracy too low for correction. TPR + TNR = 1.000 <= 1. "
        "Judge must be better than random."
    )


def test_case_f_inputs_match_the_notes() -> None:
    y, p, u = case_f()
    assert (sum(y), len(y) - sum(y), sum(u)) == (76, 44, 1229)


def full_inputs(name: str) -> Inputs:
    if name == "F-100":
        y, p, u = case_f()
        return y, p, u[:100]
    return case(name)


# Notes §3.4 "Diagnostic, not judgy": seed 0, 5,000 iterations.
FULL_REFERENCE = [
    ("B", (0.6214493682509096, 0.8263059701492536), (0.6128107796656664, 0.8328940790986836)),
    ("F", (0.43824349714783184, 0.629413705273124), (0.43999205294117644, 0.631413587279327)),
    ("F-100", (0.4807146059291399, 0.6627129790801021), (0.40857032115171643, 0.7368251144554839)),
]


@pytest.mark.parametrize(("name", "judgy", "full"), FULL_REFERENCE, ids=["B", "F", "F-100"])
def test_full_method_reference_intervals(
    name: str, judgy: tuple[float, float], full: tuple[float, float]
) -> None:
    inputs = full_inputs(name)
    narrow = estimate(*inputs, method="judgy", iterations=5000, seed=0)
    wide = estimate(*inputs, iterations=5000, seed=0)  # "full" is the default
    assert (narrow.lower, narrow.upper) == judgy
    assert (wide.lower, wide.upper) == full
    assert narrow.valid_draws == wide.valid_draws == 5000
    assert (wide.method, wide.theta) == ("full", narrow.theta)  # θ̂ itself never resamples


# --- judgy's checks: messages and order --------------------------------------------------------


def check_message(message: str, *inputs: list[int], **options: object) -> None:
    with pytest.raises(ValueError) as info:
        estimate(*inputs, **options)  # type: ignore[arg-type]
    assert isinstance(info.value, EstimateError)
    assert str(info.value) == message


def test_errors_come_in_judgys_order() -> None:
    # Each call also breaks every later check, so only the first one may be reported.
    check_message(
        "confidence_level must be between 0 and 1", [], [1], [], confidence=1.0, iterations=0
    )
    check_message("confidence_level must be between 0 and 1", [1], [1], [1], confidence=0.0)
    check_message("bootstrap_iterations must be positive", [], [1], [], iterations=0)
    check_message("test_labels and test_preds must have the same length. Got 0 and 1", [], [1], [])
    check_message("test_labels cannot be empty", [], [], [])
    check_message("unlabeled_preds cannot be empty", [2], [2], [])
    check_message("test_labels must contain only 0 and 1 values", [2], [2], [2])
    check_message("test_preds must contain only 0 and 1 values", [1], [2], [2])
    check_message("unlabeled_preds must contain only 0 and 1 values", [1], [1], [2])
    check_message("test_labels must contain both positive and negative examples", [1], [0], [1])
    check_message(
        "test_labels must contain both positive and negative examples", [0, 0], [0, 1], [1]
    )


def test_weak_judge_message_formats_the_sum() -> None:
    check_message(
        "Judge accuracy too low for correction. TPR + TNR = 0.667 <= 1. "
        "Judge must be better than random.",
        [1, 1, 1, 0, 0, 0],
        [1, 0, 0, 1, 1, 0],
        [1],
    )


def test_no_valid_draw_is_judgys_runtime_error() -> None:
    # RandomState(1).randint(0, 2, 2) == [1, 1]: the only draw lacks a Fail label.
    with pytest.raises(RuntimeError) as info:
        estimate([1, 0], [1, 0], [1], method="judgy", iterations=1, seed=1)
    assert isinstance(info.value, NoValidDrawsError) and isinstance(info.value, ValueError)
    assert str(info.value) == (
        "No valid bootstrap samples generated. This may indicate insufficient test data or "
        "very poor judge performance."
    )


def test_own_options_are_checked_first() -> None:
    check_message("method must be 'full' or 'judgy', got 'exact'", [], [], [], method="exact")
    check_message("Seed must be between 0 and 2**32 - 1", [], [], [], seed=2**32)


def test_errors_name_their_subject() -> None:
    with pytest.raises(EstimateError) as info:
        estimate([1, 0], [1, 0], [1, 3])
    assert info.value.subject == "unlabeled_preds"


def test_no_seed_draws_one_and_reports_it() -> None:
    first = estimate(*case("A"), iterations=200)
    assert first == estimate(*case("A"), iterations=200, seed=first.seed)


# --- point estimate, percentile, EvalGen metrics ------------------------------------------------


def test_rogan_gladen() -> None:
    assert rogan_gladen(0.7, 0.9, 0.8) == 0.7142857142857141
    assert rogan_gladen(0.1, 0.85, 0.75) == 0.0
    assert rogan_gladen(0.95, 0.85, 0.75) == 1.0
    with pytest.raises(EstimateError, match=r"TPR \+ TNR = 1\.000 <= 1"):
        rogan_gladen(0.5, 0.5, 0.5)


def test_percentile_matches_numpy() -> None:
    # Expected values from numpy.percentile (default method "linear").
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([0.1, 0.5, 0.9], 97.5) == 0.88
    assert percentile([3.0], 2.5) == 3.0
    assert percentile([1.0, 2.0], 100) == 2.0
    # g >= 0.5 interpolates from the upper end, as numpy's _lerp does (naive: ...318).
    pair = [0.39240466433477816, 0.844231037608741]
    assert percentile(pair, 74.65115093658713) == 0.7296982522188317


def test_confusion_and_evalgen_metrics() -> None:
    counts = confusion([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0, 1, 1])
    assert counts == Confusion(tp=3, fn=1, tn=4, fp=2)
    assert (counts.tpr, counts.tnr) == (0.75, 4 / 6)
    assert counts.coverage == counts.tnr  # share of human Fails the judge flags
    assert counts.false_failure_rate == 0.25  # share of human Passes wrongly flagged = 1 - TPR
    assert counts.alignment == pytest.approx(12 / 17)  # harmonic mean of 2/3 and 3/4


def test_evalgen_metric_edge_cases() -> None:
    no_fails = confusion([1, 1], [1, 0])
    assert (no_fails.coverage, no_fails.tnr, no_fails.false_failure_rate) == (1.0, None, 0.5)
    assert no_fails.alignment == pytest.approx(2 / 3)
    no_passes = confusion([0, 0], [0, 1])
    assert (no_passes.false_failure_rate, no_passes.tpr, no_passes.coverage) == (0.0, None, 0.5)
    always_wrong = confusion([1, 0], [0, 1])
    assert (always_wrong.coverage, always_wrong.false_failure_rate) == (0.0, 1.0)
    assert always_wrong.alignment == 0.0


def test_confusion_rejects_bad_input() -> None:
    with pytest.raises(EstimateError, match="Got 2 and 1"):
        confusion([1, 0], [1])
    with pytest.raises(EstimateError, match="labels must contain only 0 and 1"):
        confusion([1, 5], [1, 0])


# --- warnings -----------------------------------------------------------------------------------


def codes(result: Estimate) -> list[str]:
    return [warning.code for warning in result.warnings]


def test_no_warnings_for_a_sound_setup() -> None:
    assert estimate(*case("B"), iterations=500, seed=42).warnings == ()


def test_small_unbalanced_sets_warn() -> None:
    result = estimate(*case("A"), method="judgy", iterations=20000, seed=0)
    assert codes(result) == [
        "few-labels",
        "rare-class",
        "rare-class",
        "skipped-draws",
        "small-pool",
    ]
    messages = [warning.message for warning in result.warnings]
    assert messages[0] == "only 8 test labels (fewer than 60): TPR, TNR and the interval are loose"
    assert messages[3].startswith("2385 of 20000 bootstrap draws were skipped")
    assert "only 8 unlabelled predictions: use method 'full'" in messages[4]


def test_small_pool_warns_for_judgy_only() -> None:
    y, p, u = full_inputs("F-100")
    assert codes(estimate(y, p, u, method="judgy", iterations=100, seed=0)) == ["small-pool"]
    assert codes(estimate(y, p, u, method="full", iterations=100, seed=0)) == []


def test_rare_class_thresholds() -> None:
    labels = [1] * 91 + [0] * 9  # 9 Fail labels: 9% of 100, below the 10% share
    preds = labels[:]
    result = estimate(labels, preds, [1, 0] * 300, iterations=50, seed=0)
    assert codes(result) == ["rare-class"]
    assert result.warnings[0].message.startswith("only 9 of 100 test labels are human Fail")
    balanced = estimate(
        [1] * 90 + [0] * 10, [1] * 90 + [0] * 10, [1, 0] * 300, iterations=50, seed=0
    )
    assert codes(balanced) == []


def test_weak_judge_and_clipping_warn() -> None:
    labels, preds = generate_test_data(50, 50, 0.6, 0.55)  # TNR = 27/50: TPR + TNR - 1 = 0.14
    result = estimate(labels, preds, [1] * 10 + [0] * 990, iterations=200, seed=0)
    assert codes(result)[:2] == ["weak-judge", "clipped"]
    assert result.warnings[0].message.startswith("TPR + TNR - 1 = 0.140 is below 0.2")
    assert result.theta == 0.0 and result.theta_raw < 0


def test_estimate_outside_its_interval_warns() -> None:
    # A 5% interval from 20 draws misses the point estimate.
    result = estimate(*case("B"), method="judgy", iterations=20, confidence=0.05, seed=42)
    assert codes(result) == ["outside-interval"]


def test_to_dict_is_json_with_exact_numbers() -> None:
    result = estimate(*case("B"), method="judgy", iterations=2000, confidence=0.90, seed=42)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["upper"] == 0.80426622647133
    assert data["confusion"] == {
        "tp": 45, "fn": 5, "tn": 40, "fp": 10,
        "coverage": 0.8, "false_failure_rate": 0.1, "alignment": 0.8470588235294119,
    }  # fmt: skip
    assert (data["unlabeled"], data["unlabeled_pass"], data["warnings"]) == (1000, 700, [])


# --- the numpy legacy stream --------------------------------------------------------------------


def test_init_genrand_matches_the_mt19937_reference() -> None:
    state = init_genrand(5489)  # the reference implementation's default seed
    assert state[:2] == [5489, 1301868182]
    assert LegacyStream(5489).words(2) == [3499211612, 581869302]


def test_stream_matches_known_numpy_values() -> None:
    assert LegacyStream(0).random() == 0.5488135039273248  # RandomState(0).rand()
    assert LegacyStream(42).random() == 0.3745401188473625
    assert LegacyStream(0).randint(10, 5) == [5, 0, 3, 3, 7]  # np.random.seed(0); randint(0, 10, 5)
    assert LegacyStream(0).randint(1, 3) == [0, 0, 0]  # consumes nothing ...
    stream = LegacyStream(0)
    stream.randint(1, 3)
    assert stream.random() == 0.5488135039273248  # ... so the stream is untouched


@pytest.mark.parametrize("size", [1, 7, 200, 300, 2049, 70000])
def test_tally_counts_what_randint_draws(size: int) -> None:
    # Covers the one-byte (<= 256), two-byte (<= 65536) and per-index paths.
    codes_ = [(i * 7 + i // 3) % 3 for i in range(size)]
    tally = IndexTally(codes_, ncodes=4)
    a, b = LegacyStream(9), LegacyStream(9)
    for draws in (min(size, 600), 3, 601):
        drawn = Counter(codes_[i] for i in b.randint(size, draws))
        expected = [drawn[code] for code in range(4)]
        assert tally.draw(a, draws) == expected
    assert a.random() == b.random()  # both consumed exactly the same outputs


def test_sequence_is_the_drawn_codes_in_order() -> None:
    codes_ = [0, 1, 2, 1, 0]
    a, b = LegacyStream(3), LegacyStream(3)
    assert IndexTally(codes_).sequence(a, 50) == bytes(codes_[i] for i in b.randint(5, 50))
    assert a.random() == b.random()
