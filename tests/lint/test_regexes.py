"""The structural regex reading behind ES203-ES205."""

from __future__ import annotations

import pytest

from evalspec.lint.regexes import analyse, nullable, parse_regex


@pytest.mark.parametrize(
    "pattern",
    [
        "abc",
        r"a\.b\d+",
        "[]a]",
        r"[^\]x]",
        "(?i)a(?:b|c)",
        "(?i:x)",
        "a{2,3}?b*?",
        r"\x41",
        "^$",
        "",
    ],
)
def test_parses(pattern: str) -> None:
    assert parse_regex(pattern) is not None


@pytest.mark.parametrize("pattern", ["(a", "a)", "[ab", "*a", "a{", "(?<n>a)", "(?=a)"])
def test_gives_up_on_what_it_does_not_understand(pattern: str) -> None:
    tree = parse_regex(pattern)
    if pattern == "a{":
        assert tree is None or tree.alts  # "{" alone is not a repetition
    else:
        assert tree is None


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        ("(a+)+", [(0, 5, 1, 3)]),
        ("(a*)*", [(0, 5, 1, 3)]),
        (r"(\w+\s?)*", [(0, 9, 1, 4)]),
        ("((a+)b?)+", [(0, 9, 2, 4)]),
        ("(a|b+)+", [(0, 7, 3, 5)]),
        ("(a+b)+", []),
        ("(a+){2,5}", []),
        ("(ab)+", []),
        ("a+b+", []),
    ],
)
def test_nested_quantifiers(pattern: str, nested: list[tuple[int, int, int, int]]) -> None:
    analysis = analyse(pattern)
    assert analysis is not None and list(analysis.nested) == nested


@pytest.mark.parametrize(
    ("pattern", "found"),
    [
        ("(a|b|c)", [(0, 7, "([abc])")]),
        ("(?:x|y)", [(0, 7, "[xy]")]),
        ("(?i:x|y)", [(0, 8, "(?i:[xy])")]),
        (r"(\d|\s)", [(0, 7, r"([\d\s])")]),
        ("(-|])", [(0, 5, r"([\-\]])")]),
        ("(.|x)", [(0, 5, None)]),
        ("(ab|c)", []),
    ],
)
def test_character_alternations(pattern: str, found: list[tuple[int, int, str | None]]) -> None:
    analysis = analyse(pattern)
    assert analysis is not None and list(analysis.alternations) == found


@pytest.mark.parametrize(
    ("pattern", "found"),
    [
        (".*x", [(0, 2, "start")]),
        ("x.*", [(1, 3, "end")]),
        (".*?x.*", [(0, 3, "start"), (4, 6, "end")]),
        ("(?i).*x", [(4, 6, "start")]),
        ("^.*x", []),
        ("x.*$", []),
        (".*", []),
        (".*a|b", []),
    ],
)
def test_redundant_wildcards(pattern: str, found: list[tuple[int, int, str]]) -> None:
    analysis = analyse(pattern)
    assert analysis is not None and list(analysis.wildcards) == found


def test_nullable() -> None:
    tree = parse_regex("(a?|b*)c{0,2}")
    assert tree is not None and nullable(tree)
    tree = parse_regex("a?b")
    assert tree is not None and not nullable(tree)
