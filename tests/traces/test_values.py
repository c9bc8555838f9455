"""Timestamps, decimals, integers and text extraction."""

from __future__ import annotations

import doctest

import pytest

from evalspec.traces import problems, sample, values
from evalspec.traces.values import (
    decimal_text,
    integer,
    iso_from_nanos,
    millis_between,
    seconds_to_millis,
    text_of,
    timestamp,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15T12:00:00Z", "2026-01-15T12:00:00Z"),
        ("2026-01-15T12:00:00.250Z", "2026-01-15T12:00:00.25Z"),
        ("2026-01-15T12:00:00.123456789Z", "2026-01-15T12:00:00.123456789Z"),
        ("2026-01-15T14:00:00+02:00", "2026-01-15T12:00:00Z"),
        ("2026-01-15T07:30:00-0430", "2026-01-15T12:00:00Z"),
        ("2026-01-15 12:00:00", "2026-01-15T12:00:00Z"),  # naive: read as UTC
        ("2026-01-15T12:00:00.5", "2026-01-15T12:00:00.5Z"),
        ("2026-01-15", "2026-01-15T00:00:00Z"),
        (1768478400, "2026-01-15T12:00:00Z"),  # seconds
        (1768478400250, "2026-01-15T12:00:00.25Z"),  # milliseconds
        (1768478400250000, "2026-01-15T12:00:00.25Z"),  # microseconds
        (1768478400250000000, "2026-01-15T12:00:00.25Z"),  # nanoseconds
        ("1768478400250000000", "2026-01-15T12:00:00.25Z"),  # OTLP writes int64 as a string
        (1768478400.25, "2026-01-15T12:00:00.25Z"),  # float seconds
        (0, "1970-01-01T00:00:00Z"),
    ],
)
def test_timestamps(value: object, expected: str) -> None:
    assert timestamp(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", None, True, [], "12:00"])
def test_bad_timestamps(value: object) -> None:
    with pytest.raises(ValueError):
        timestamp(value)


def test_iso_from_nanos_trims_zeros() -> None:
    assert iso_from_nanos(1_000_000_000_100_000_000) == "2001-09-09T01:46:40.1Z"


def test_millis_between() -> None:
    assert millis_between("2026-01-01T00:00:00Z", "2026-01-01T00:00:01.2345Z") == 1234
    assert millis_between(None, "2026-01-01T00:00:00Z") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.1"),
        (1e-05, "0.00001"),
        ("12.50", "12.50"),
        (3, "3"),
        ("1E+3", "1000"),
        (-0.5, "-0.5"),
    ],
)
def test_decimal_text(value: object, expected: str) -> None:
    assert decimal_text(value) == expected


@pytest.mark.parametrize("value", ["abc", None, True, float("nan"), "inf"])
def test_decimal_text_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        decimal_text(value)


def test_integers_and_seconds() -> None:
    assert integer("42") == 42 and integer(7.0) == 7
    assert seconds_to_millis(1.2345) == 1234
    with pytest.raises(ValueError):
        integer(1.5)


@pytest.mark.parametrize(
    ("value", "want", "expected"),
    [
        ("plain", "input", "plain"),
        ({"question": "How long?"}, "input", "How long?"),
        ({"answer": "Seven minutes."}, "output", "Seven minutes."),
        ({"only": "field"}, "input", "field"),
        (
            [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
            "input",
            "hi",
        ),
        (
            [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
            "output",
            "yo",
        ),
        ([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], "input", "a\nb"),
        ({"a": 1, "b": 2}, "input", '{"a":1,"b":2}'),
        (None, "input", None),
        (3, "output", "3"),
    ],
)
def test_text_of(value: object, want: str, expected: str | None) -> None:
    assert text_of(value, want=want) == expected


@pytest.mark.parametrize("module", [values, problems, sample])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.failed == 0
