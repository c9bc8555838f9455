"""contains / icontains / any / all, starts with, ends with, matches."""

from __future__ import annotations

import pytest
from checks_helpers import ERROR, FAIL, PASS, Checker, trace


@pytest.mark.parametrize(
    ("expr", "fields", "outcome"),
    [
        ('output contains "refund"', {"output": "a refund now"}, PASS),
        ('output contains "Refund"', {"output": "a refund now"}, FAIL),
        ('output icontains "STRASSE"', {"output": "Hauptstraße 1"}, PASS),  # casefold, not lower
        ('output icontains "refund"', {"output": "REFUND"}, PASS),
        ('metadata.tags contains "vip"', {"metadata": {"tags": ["new", "vip"]}}, PASS),
        ('metadata.tags contains "VIP"', {"metadata": {"tags": ["vip"]}}, FAIL),
        ('metadata.tags icontains "VIP"', {"metadata": {"tags": ["vip"]}}, PASS),
        ("metadata.ids contains 3", {"metadata": {"ids": [1, 3]}}, PASS),
        ('metadata.ids contains "3"', {"metadata": {"ids": [1, 3]}}, FAIL),  # no coercion
        ("metadata.ids contains 1", {"metadata": {"ids": [True]}}, FAIL),
        ('output contains any ["x", "ref"]', {"output": "refund"}, PASS),
        ('output contains any ["x", "y"]', {"output": "refund"}, FAIL),
        ("output contains any []", {"output": "refund"}, FAIL),
        ('output contains all ["re", "fund"]', {"output": "refund"}, PASS),
        ('output contains all ["re", "x"]', {"output": "refund"}, FAIL),
        ("output contains all []", {"output": "refund"}, PASS),
        ('output icontains all ["RE", "FUND"]', {"output": "refund"}, PASS),
        ('output starts with "Hi"', {"output": "Hi there"}, PASS),
        ('output starts with "Hi"', {"output": " Hi there"}, FAIL),  # no trimming
        ('output starts with "hi"', {"output": "Hi there"}, FAIL),
        ('output ends with "."', {"output": "Done."}, PASS),
        ('output ends with "."', {"output": "Done.\n"}, FAIL),
        ("output matches /refund/", {"output": "a refund"}, PASS),  # a search
        ("output matches /^refund$/", {"output": "refund\n"}, FAIL),  # $ = end of text
        ("output matches /\\d+/", {"output": "٣"}, FAIL),  # \d is ASCII
        ("output matches /(?i)REFUND/", {"output": "refund"}, PASS),
        ("output matches /^b/m", {"output": "a\nb"}, PASS),
        ("lower(output) matches /^hello/", {"output": "HELLO"}, PASS),
        ("messages[-1].content contains \"bye\"",
         {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "bye"}]},
         PASS),
    ],
)  # fmt: skip
def test_verdicts(check: Checker, expr: str, fields: dict[str, object], outcome: object) -> None:
    assert check.outcome(expr, trace(**fields)) is outcome


@pytest.mark.parametrize(
    ("expr", "fields", "reason"),
    [
        ('output contains "x"', {}, "output is missing"),
        ('output icontains "x"', {}, "output is missing"),
        ('not output contains "x"', {}, "output is missing"),
        ('output contains any ["x"]', {}, "output is missing"),
        ("output contains any []", {}, "output is missing"),
        ('output starts with "x"', {}, "output is missing"),
        ("output matches /x/", {}, "output is missing"),
        ("output contains 5", {"output": "5"}, "output is text; contains needs a string, not 5"),
        ('metadata.n contains "x"', {"metadata": {"n": 5}},
         "contains needs text or a list; metadata.n is a number"),
        ('metadata.n starts with "x"', {"metadata": {"n": [1]}},
         "starts with applies to text; metadata.n is a list"),
        ("metadata.n matches /x/", {"metadata": {"n": {"a": 1}}},
         "matches applies to text; metadata.n is an object"),
    ],
)  # fmt: skip
def test_errors(check: Checker, expr: str, fields: dict[str, object], reason: str) -> None:
    assert check(expr, trace(**fields)) == (ERROR, reason)


def test_explanations(check: Checker) -> None:
    t = trace(output="Thanks for waiting. Your refund is on its way.", metadata={"tags": ["a"]})
    assert check('output contains "sorry"', t) == (
        FAIL, 'output does not contain "sorry": "Thanks for waiting. Your refund is on its way."',
    )  # fmt: skip
    assert check('output icontains "SORRY"', t)[1] == (
        'output does not icontain "SORRY": "Thanks for waiting. Your refund is on its way."'
    )
    assert check('metadata.tags contains "b"', t) == (
        FAIL,
        'metadata.tags has no element "b": ["a"]',
    )
    assert check('not output icontains "REFUND"', t) == (
        FAIL, 'output icontains "REFUND" at 25: "Thanks for waiting. Your refund is on its way."',
    )  # fmt: skip
    assert check('output contains any ["q", "z"]', t)[1] == (
        'output contains none of ["q", "z"]: "Thanks for waiting. Your refund is on its way."'
    )
    assert check('output contains all ["refund", "q", "z"]', t)[1] == (
        'output lacks ["q", "z"]: "Thanks for waiting. Your refund is on its way."'
    )
    assert check('not output contains any ["x", "way"]', t)[1] == (
        'output contains ["way"]: "Thanks for waiting. Your refund is on its way."'
    )
    assert check('output starts with "Hello"', t) == (
        FAIL, 'output does not start with "Hello": it starts with "Thanks for wait"',
    )  # fmt: skip
    assert check('output ends with "!"', t) == (
        FAIL, 'output does not end with "!": it ends with "on its way."',
    )  # fmt: skip
    assert check("output matches /(?i)sorry|apolog/", t) == (
        FAIL,
        "output does not match /(?i)sorry|apolog/: "
        '"Thanks for waiting. Your refund is on its way."',
    )
    long = trace(output="x" * 100 + " refund " + "y" * 100)
    assert check("not output matches /refund/", long) == (
        FAIL, f'output matches /refund/ at 101: "…{"x" * 29} refund {"y" * 29}…"',
    )  # fmt: skip
    assert check('output contains "zzz"', long)[1] == (
        f'output does not contain "zzz": "{"x" * 80}…"'
    )
