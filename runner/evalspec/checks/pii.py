"""``has no pii [kinds]``: precise, versioned detectors for personal data in text.

Each detector is a candidate pattern plus a validity check, chosen for precision over recall: a
guard that fires on order numbers and version strings gets switched off. The rules are given
exactly in ``docs/checks.md`` so that other implementations can match them; any change to a
pattern or a check bumps :data:`PII_DETECTOR_VERSION`.

Boundaries are written as lookarounds here for brevity; an implementation on RE2 checks the
characters around a candidate in code instead.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from evalspec import ir
from evalspec.checks.base import Check, CheckEnv, evaluator
from evalspec.checks.operands import text_getter
from evalspec.traces.record import Trace

#: Version of the detector rules below; results from different versions are not comparable.
PII_DETECTOR_VERSION = 1
_SHOWN_PER_KIND = 3


class Detector(NamedTuple):
    """A kind of personal data: candidates, a validity check, and how to mask a finding."""

    pattern: re.Pattern[str]
    valid: Callable[[str], bool]
    mask: Callable[[str], str]


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _always(text: str) -> bool:
    return True


def luhn(number: str) -> bool:
    """Return whether a string of digits passes the Luhn checksum."""
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = ord(char) - 48
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _card(text: str) -> bool:
    digits = _digits(text)
    if not (13 <= len(digits) <= 19 and digits[0] != "0" and luhn(digits)):
        return False
    separators = {c for c in text if not c.isdigit()}
    if not separators:
        return True
    # printed cards group digits (4-4-4-4, 4-6-5) with one separator: two dates are not a card
    groups = re.split(r"[ -]", text)
    return len(separators) == 1 and all(len(group) >= 3 for group in groups)


def iban_valid(text: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _iban_prefix(text: str) -> str | None:
    """Return the longest prefix (whole space-separated groups) that is a valid IBAN."""
    groups = text.split(" ")
    for end in range(len(groups), 0, -1):
        candidate = " ".join(groups[:end])
        if iban_valid(candidate):
            return candidate
    return None


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:  # octets above 255, leading zeros
        return False
    return True


def _ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    written = [group for group in re.split(r"::?", text) if group]
    return len(written) >= 3  # "a::b" in code, "::1" and "fe80::1" are not reported


def _phone(text: str) -> bool:
    digits = _digits(text)
    if text.startswith("+"):
        return 8 <= len(digits) <= 15  # E.164
    if text.startswith("0"):
        return 10 <= len(digits) <= 11
    return True  # the NANP shape fixes 10 or 11 digits


def _mask_digits(text: str, keep: int) -> str:
    total = sum(c.isdigit() for c in text)
    out, seen = [], 0
    for char in text:
        if char.isdigit():
            seen += 1
            out.append(char if seen > total - keep else "*")
        else:
            out.append(char)
    return "".join(out)


def _mask_email(text: str) -> str:
    local, _, domain = text.partition("@")
    return f"{local[0]}***@{domain}"


def _mask_iban(text: str) -> str:
    compact = text.replace(" ", "")
    return compact[:4] + "*" * (len(compact) - 8) + compact[-4:]


def _mask_ip(text: str) -> str:
    if "." in text and ":" not in text:
        return text.split(".")[0] + ".*.*.*"
    return text.split(":")[0] + ":*"


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SEP = r"[ .-]"
_DETECTORS: dict[str, Detector] = {
    "email": Detector(
        re.compile(
            rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}(?![A-Za-z0-9-])"
        ),
        _always,
        _mask_email,
    ),
    "phone": Detector(
        re.compile(
            r"(?<![\w+.-])(?:"
            r"\+\d{1,3}(?:[ .-]?\(\d{1,4}\)|[ .-]?\d{1,4}){2,6}"  # international: +CC groups
            rf"|(?:1{_SEP}?)?(?:\([2-9]\d\d\) ?|[2-9]\d\d{_SEP})\d{{3}}{_SEP}\d{{4}}"  # NANP
            r"|0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}"  # national with trunk 0, e.g. 020 7946 0958
            r")(?![\w]|[.-]\d)"
        ),
        _phone,
        lambda text: _mask_digits(text, 2),
    ),
    "credit_card": Detector(
        re.compile(r"(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d]|[.-]\d)"),
        _card,
        lambda text: _mask_digits(text, 4),
    ),
    "iban": Detector(
        re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])"),
        lambda text: _iban_prefix(text) is not None,
        _mask_iban,
    ),
    "us_ssn": Detector(
        re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])"),
        _always,
        lambda text: "***-**-" + text[-4:],
    ),
    "ip_address": Detector(
        re.compile(
            r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)"
            r"|(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d))"
        ),
        lambda text: _ipv4(text) if ":" not in text else _ipv6(text),
        _mask_ip,
    ),
}
KINDS = tuple(sorted(_DETECTORS))


def find_pii(text: str, kinds: list[str] | tuple[str, ...] = KINDS) -> Iterator[tuple[str, str]]:
    """Yield ``(kind, matched text)`` for every finding of the given kinds, kind by kind."""
    for kind in kinds:
        detector = _DETECTORS[kind]
        for found in detector.pattern.finditer(text):
            candidate = found.group(0)
            if kind == "iban":
                prefix = _iban_prefix(candidate)
                if prefix is not None:
                    yield kind, prefix
            elif detector.valid(candidate):
                yield kind, candidate


def mask(kind: str, text: str) -> str:
    """Mask a finding for reports: ``j***@example.com``, ``************1111``."""
    return _DETECTORS[kind].mask(text)


@evaluator(ir.HasNoPii)
def compile_has_no_pii(expr: ir.HasNoPii, env: CheckEnv) -> Check:
    """Compile ``operand has no pii [kinds]``."""
    get, name = text_getter(expr.operand, "has no pii")
    checks = [(_DETECTORS[kind].pattern.finditer, _DETECTORS[kind].valid) for kind in expr.kinds]
    kinds = tuple(expr.kinds)

    def test(trace: Trace) -> bool:
        text = get(trace)
        for finditer, valid in checks:
            for found in finditer(text):
                if valid(found.group(0)):
                    return False
        return True

    def explain(trace: Trace) -> str:
        found: dict[str, list[str]] = {}
        for kind, text in find_pii(get(trace), kinds):
            found.setdefault(kind, []).append(mask(kind, text))
        parts = []
        for kind, items in found.items():
            extra = len(items) - _SHOWN_PER_KIND
            more = f" and {extra} more" if extra > 0 else ""
            parts.append(f"{kind} {', '.join(items[:_SHOWN_PER_KIND])}{more}")
        return f"{name} contains personal data: " + "; ".join(parts)

    def affirm(trace: Trace) -> str:
        return f"{name} has no {', '.join(kinds)}"

    return Check(expr, test, explain, affirm)
