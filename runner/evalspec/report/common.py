"""Small helpers shared by the report formats."""

from __future__ import annotations

from decimal import Decimal

from evalspec.run.results import GateResult, ModeResult


def pct(value: str | None) -> str:
    """Format a decimal-string rate as a percentage (``"0.03"`` -> ``"3%"``); ``-`` for none."""
    if value is None:
        return "-"
    text = f"{Decimal(value) * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def interval(mode: ModeResult) -> str:
    """The rate's interval as ``[1%, 8.5%]`` (the corrected interval for a judge mode)."""
    bounds = mode.judge.interval if mode.judge else mode.interval
    return f"[{pct(bounds[0])}, {pct(bounds[1])}]" if bounds else "-"


def shown_rate(mode: ModeResult) -> str:
    """The rate the gates use: corrected for a calibrated judge mode, else observed."""
    if mode.judge is not None:
        return f"{pct(mode.judge.corrected_rate)} (raw {pct(mode.judge.raw_rate)})"
    return pct(mode.rate)


def ranked(modes: list[ModeResult]) -> list[ModeResult]:
    """Modes by the rate the gates use, highest first; modes with no rate last."""

    def key(mode: ModeResult) -> tuple[int, Decimal]:
        value = mode.judge.corrected_rate if mode.judge else mode.rate
        return (0, -Decimal(value)) if value is not None else (1, Decimal(0))

    return sorted(modes, key=key)


def failed_gates(mode: ModeResult) -> list[GateResult]:
    """The gates of a mode that did not pass."""
    return [g for g in mode.gates if not g.passed]


def location(mode: ModeResult) -> str:
    """``path:line:col`` of the mode in its spec."""
    return f"{mode.spec}:{mode.span.line}:{mode.span.column}"
