"""PII detectors: true positives, near misses, masking, and the guard's verdicts."""

from __future__ import annotations

import pytest
from checks_helpers import ERROR, FAIL, PASS, Checker, trace

from evalspec.checks import PII_DETECTOR_VERSION
from evalspec.checks.pii import KINDS, find_pii, iban_valid, luhn, mask
from evalspec.lang.expressions import PII_KINDS


def found(text: str) -> list[tuple[str, str]]:
    return list(find_pii(text))


def test_kinds_match_the_language() -> None:
    assert KINDS == PII_KINDS
    assert PII_DETECTOR_VERSION == 1


@pytest.mark.parametrize(
    ("text", "kind", "match"),
    [
        ("write to john.doe+x@mail.example.co.uk today", "email", "john.doe+x@mail.example.co.uk"),
        ("mail A_B@EXAMPLE.COM.", "email", "A_B@EXAMPLE.COM"),
        ("call 555-123-4567 now", "phone", "555-123-4567"),
        ("call (555) 123-4567", "phone", "(555) 123-4567"),
        ("call 1-800-555-0199.", "phone", "1-800-555-0199"),
        ("call +44 20 7946 0958", "phone", "+44 20 7946 0958"),
        ("call +1 (555) 123-4567", "phone", "+1 (555) 123-4567"),
        ("ring 020 7946 0958", "phone", "020 7946 0958"),
        ("card 4111 1111 1111 1111 exp", "credit_card", "4111 1111 1111 1111"),
        ("card 4111-1111-1111-1111", "credit_card", "4111-1111-1111-1111"),
        ("card 4111111111111111", "credit_card", "4111111111111111"),
        ("amex 3782 822463 10005", "credit_card", "3782 822463 10005"),
        ("iban DE89 3704 0044 0532 0130 00 please", "iban", "DE89 3704 0044 0532 0130 00"),
        ("iban GB82WEST12345698765432", "iban", "GB82WEST12345698765432"),
        ("iban DE89 3704 0044 0532 0130 00 ABCD", "iban", "DE89 3704 0044 0532 0130 00"),
        ("ssn 123-45-6789", "us_ssn", "123-45-6789"),
        ("from 192.168.1.20.", "ip_address", "192.168.1.20"),
        ("host 2001:db8::8a2e:370:7334 down", "ip_address", "2001:db8::8a2e:370:7334"),
        ("host 2001:db8::1.", "ip_address", "2001:db8::1"),
    ],
)
def test_true_positives(text: str, kind: str, match: str) -> None:
    assert (kind, match) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "order 4111 1111 1111 1112 shipped",  # 16 digits, not Luhn-valid
        "order number 1234567812345678",  # 16 digits, not Luhn-valid
        "0000 0000 0000 0000",  # placeholder: a card never starts with 0
        "from 2024-01-15 2024-02-16",  # two dates are not a card
        "an id of 25 digits 4111111111111111111111111",
        "version 1.2.3.4.5",  # not an IP address
        "version 1.2.3",
        "address 256.1.1.1 or 01.02.03.04",  # octet out of range, leading zeros
        "on 2024-01-15 at 10:30:00",  # a date and a time are not a phone or an IP
        "dated 12-25-2024 and 25.12.2024",
        "isbn 978-3-16-148410-0",
        "call 123-456-7890",  # NANP area codes do not start with 0 or 1
        "tracking 5551234567",  # bare digits are not a phone
        "SSN-like 000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000",
        "see @john or john@localhost or example.com",
        "std::vector and a::b and fe80::1",  # not reported as IPv6
        "iban DE89 3704 0044 0532 0130 01",  # mod-97 check fails
        "+12 345",  # too few digits for E.164
        "price 1,234.56 and 3.14159",
    ],
)
def test_near_misses(text: str) -> None:
    assert found(text) == []


def test_checksums() -> None:
    assert luhn("4111111111111111") and not luhn("4111111111111112")
    assert iban_valid("GB82 WEST 1234 5698 7654 32") and not iban_valid(
        "GB82 WEST 1234 5698 7654 33"
    )


@pytest.mark.parametrize(
    ("kind", "text", "masked"),
    [
        ("email", "john.doe@example.com", "j***@example.com"),
        ("credit_card", "4111 1111 1111 1111", "**** **** **** 1111"),
        ("phone", "555-123-4567", "***-***-**67"),
        ("iban", "DE89 3704 0044 0532 0130 00", "DE89**************3000"),
        ("us_ssn", "123-45-6789", "***-**-6789"),
        ("ip_address", "192.168.1.20", "192.*.*.*"),
        ("ip_address", "2001:db8::1", "2001:*"),
    ],
)
def test_masks(kind: str, text: str, masked: str) -> None:
    assert mask(kind, text) == masked


def test_guard(check: Checker) -> None:
    text = "Mail jane@example.com or call 555-123-4567; card 4111 1111 1111 1111, ssn 123-45-6789"
    assert check("output has no pii", trace(output=text)) == (
        FAIL,
        "output contains personal data: credit_card **** **** **** 1111; "
        "email j***@example.com; phone ***-***-**67; us_ssn ***-**-6789",
    )
    assert check("output has no pii [iban, ip_address]", trace(output=text)) == (PASS, None)
    assert check("output has no pii [email]", trace(output="a@b.io c@d.io e@f.io g@h.io")) == (
        FAIL, "output contains personal data: email a***@b.io, c***@d.io, e***@f.io and 1 more",
    )  # fmt: skip
    assert check("output has no pii [email]", trace()) == (ERROR, "output is missing")
    assert check("not output has no pii [email]", trace(output="x")) == (
        FAIL,
        "output has no email",
    )
