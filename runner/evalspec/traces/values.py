"""Value normalisation shared by the importers: timestamps, decimals, integers and text.

Each function either returns the normalised value or raises :class:`ValueError`, so an
importer can report an ``ES709 invalid-value`` with the field name and carry on.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)
_encode = msgspec.json.Encoder().encode


def iso_from_nanos(nanos: int) -> str:
    """Format nanoseconds since the Unix epoch as ISO-8601 UTC, trailing zeros trimmed.

    Example:
        >>> iso_from_nanos(1_700_000_000_250_000_000)
        '2023-11-14T22:13:20.25Z'
    """
    seconds, fraction = divmod(nanos, 1_000_000_000)
    if not fraction:
        return iso_from_seconds(seconds)
    return iso_from_seconds(seconds)[:-1] + "." + f"{fraction:09d}".rstrip("0") + "Z"


_DAYS: dict[int, str] = {}
_HOURS = [f"{hour:02d}:" for hour in range(24)]
_CLOCK = [f"{minute:02d}:{second:02d}Z" for minute in range(60) for second in range(60)]


def iso_from_seconds(seconds: int) -> str:
    """Format whole seconds since the epoch as ``YYYY-MM-DDTHH:MM:SSZ``.

    Dates are cached per day and the time of day comes from tables, because ``strftime``
    cost more than all the rest of an OpenAI record's conversion.
    """
    day, rest = divmod(seconds, 86_400)
    prefix = _DAYS.get(day)
    if prefix is None:
        date = (_EPOCH + timedelta(days=day)).date()
        prefix = f"{date.year:04d}-{date.month:02d}-{date.day:02d}T"
        if len(_DAYS) < 10_000:
            _DAYS[day] = prefix
    hours, rest = divmod(rest, 3600)
    return f"{prefix}{_HOURS[hours]}{_CLOCK[rest]}"


def to_nanos(value: Any) -> int:
    """Read a timestamp as nanoseconds since the epoch.

    Accepts ISO-8601 strings (naive ones are taken as UTC; any number of fraction digits),
    integers or digit strings in seconds, milliseconds, microseconds or nanoseconds (told
    apart by magnitude, as OTel and the SDKs write them) and float seconds.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int):
        return _scale_epoch(value)
    if isinstance(value, float):
        return int(Decimal(repr(value)) * 1_000_000_000)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return _scale_epoch(int(text))
        return _parse_iso(text)
    raise ValueError(f"not a timestamp: {value!r}")


def _scale_epoch(number: int) -> int:
    size = abs(number)
    if size < 100_000_000_000:  # seconds until the year 5138
        return number * 1_000_000_000
    if size < 100_000_000_000_000:
        return number * 1_000_000
    if size < 100_000_000_000_000_000:
        return number * 1_000
    return number


def _parse_iso(text: str) -> int:
    match = _ISO.fullmatch(text)
    if match is None:
        raise ValueError(f"not an ISO-8601 timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    moment = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
    )
    offset = _zone_seconds(zone)
    seconds = int((moment - _EPOCH.replace(tzinfo=None)).total_seconds()) - offset
    nanos = int((fraction or "0")[:9].ljust(9, "0"))
    return seconds * 1_000_000_000 + nanos


def _zone_seconds(zone: str | None) -> int:
    if not zone or zone in "Zz":
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)


def timestamp(value: Any) -> str:
    """Normalise any accepted timestamp to an ISO-8601 UTC string (see :func:`to_nanos`)."""
    if type(value) is int and 0 <= value < 100_000_000_000:  # Unix seconds, the common case
        return iso_from_seconds(value)
    return iso_from_nanos(to_nanos(value))


def millis_between(start: str | None, end: str | None) -> int | None:
    """Return whole milliseconds from ``start`` to ``end`` (ISO strings), or ``None``."""
    if start is None or end is None:
        return None
    return (to_nanos(end) - to_nanos(start)) // 1_000_000


def decimal_text(value: Any) -> str:
    """Return a plain decimal string for a number or numeric string (never an exponent).

    Example:
        >>> decimal_text(1e-05), decimal_text("12.50"), decimal_text(3)
        ('0.00001', '12.50', '3')
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return format(number, "f")


def seconds_to_millis(value: Any) -> int:
    """Convert seconds (a number or numeric string) to whole milliseconds."""
    return int(Decimal(decimal_text(value)) * 1000)


def integer(value: Any) -> int:
    """Read a whole number from an int, an integral float or a digit string."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"not an integer: {value!r}")


def json_text(value: Any) -> str:
    """Return ``value`` as text: strings unchanged, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return _encode(value).decode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError):
        return str(value)


def parse_json(text: str) -> Any:
    """Decode a JSON string, raising :class:`ValueError` when it is not valid JSON."""
    try:
        return msgspec.json.decode(text)
    except (msgspec.DecodeError, UnicodeEncodeError) as exc:
        raise ValueError(str(exc)) from None


def as_dict(value: Any) -> dict[str, Any]:
    """Return ``value`` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """Return ``value`` if it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def optional_str(value: Any) -> str | None:
    """Return a non-empty string form of an id-like value, else ``None``."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json_text(value)


_INPUT_KEYS = ("input", "query", "question", "prompt", "user_input", "text", "content", "message")
_OUTPUT_KEYS = ("output", "answer", "response", "completion", "result", "text", "content")


def text_of(value: Any, *, want: str = "input") -> str | None:
    """Best text for a free-form input (``want="input"``) or output value of a source.

    Strings are kept; message lists give the first user (or last assistant) text; objects
    give their most telling field (``query``, ``answer``, ...) or a single string field;
    anything else is compact JSON.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        found = _message_list_text(value, want)
        if found is None:
            found = _parts_text(value)
        return found if found is not None else json_text(value)
    if isinstance(value, dict):
        return _object_text(value, want)
    return json_text(value)


def _object_text(value: dict[str, Any], want: str) -> str | None:
    if not value:
        return None
    if isinstance(value.get("role"), str) and "content" in value:
        return text_of(value["content"], want=want)
    for key in _INPUT_KEYS if want == "input" else _OUTPUT_KEYS:
        if key in value and value[key] is not None:
            return text_of(value[key], want=want)
    for key in ("messages", "choices"):
        if isinstance(value.get(key), list):
            return text_of(value[key], want=want)
    strings = [v for v in value.values() if isinstance(v, str)]
    if len(value) == 1 and len(strings) == 1:
        return strings[0]
    return json_text(value)


def _message_list_text(items: list[Any], want: str) -> str | None:
    role = "user" if want == "input" else "assistant"
    ordered = items if want == "input" else reversed(items)
    for item in ordered:
        if isinstance(item, dict):
            message = item.get("message", item)
            if isinstance(message, dict) and message.get("role") in (role, *_ALIASES[role]):
                text = text_of(message.get("content"), want=want)
                if text:
                    return text
    return None


def _parts_text(items: list[Any]) -> str | None:
    """Join a content-part list that holds only text parts (``[{"type": "text", ...}]``)."""
    texts = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            texts.append(item["text"])
        else:
            return None
    return "\n".join(texts) if texts else None


_ALIASES = {"user": ("human",), "assistant": ("ai", "model")}
