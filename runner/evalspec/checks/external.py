"""Escape hatches: ``run "command"`` (any language) and ``python "module:function"``.

Both execute code named by the spec, so both run only when the environment allows it
(``--allow-exec``); otherwise they are errors ("not run: pass --allow-exec") and
:func:`needs_exec` lets the command line refuse before it starts. The protocol, documented in
``docs/checks.md``: the trace as JSON (every top-level field present), the answer as an exit code
(0 pass, 1 fail) or a JSON object ``{"pass": bool, "reason": str}`` /
``{"verdict": "pass"|"fail"|"error", "reason": str}``.
"""

from __future__ import annotations

import importlib
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import msgspec

from evalspec import ir
from evalspec.checks.base import Check, CheckEnv, CheckError, evaluator
from evalspec.checks.describe import describe, quote
from evalspec.diagnostics import Span
from evalspec.traces.record import Trace

NOT_ALLOWED = "not run: pass --allow-exec"
_FIELDS = msgspec.structs.fields(Trace)
_TAIL = 300
Verdict = tuple[bool, str | None]


def trace_builtins(trace: Trace) -> dict[str, Any]:
    """Return the trace as JSON-ready builtins with every top-level field present."""
    return {f.encode_name: msgspec.to_builtins(getattr(trace, f.name)) for f in _FIELDS}


def protocol_verdict(answer: Any) -> Verdict | None:
    """Read ``{"pass": bool}`` or ``{"verdict": "pass"|"fail"|"error"}`` (+ ``"reason"``).

    Returns ``None`` when ``answer`` does not follow the protocol; a ``"verdict": "error"``
    raises :class:`CheckError` with the reason.
    """
    if not isinstance(answer, dict):
        return None
    reason = answer.get("reason")
    reason = reason if isinstance(reason, str) and reason else None
    if isinstance(answer.get("pass"), bool):
        return answer["pass"], reason
    verdict = answer.get("verdict")
    if verdict in ("pass", "fail"):
        return verdict == "pass", reason
    if verdict == "error":
        raise CheckError(reason or "the plugin could not evaluate the trace")
    return None


def _tail(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    return text if len(text) <= _TAIL else "…" + text[-_TAIL:]


def _remembering(
    expr: ir.Run | ir.Python, judge: Callable[[Trace], Verdict], default: str
) -> Check:
    """Build a check whose explanation reuses the reason of the call ``test`` just made."""
    last: list[tuple[Trace, str | None] | None] = [None]

    def test(trace: Trace) -> bool:
        passed, reason = judge(trace)
        last[0] = (trace, reason)
        return passed

    def explain(trace: Trace) -> str:
        remembered = last[0]
        reason = remembered[1] if remembered and remembered[0] is trace else judge(trace)[1]
        return reason or default

    return Check(expr, test, explain)


@evaluator(ir.Run)
def compile_run(expr: ir.Run, env: CheckEnv) -> Check:
    """Compile ``run "command"``: the trace on stdin, the verdict from the exit code or JSON."""
    argv = shlex.split(expr.command)
    shown = quote(expr.command)

    def judge(trace: Trace) -> Verdict:
        if not env.allow_exec:
            raise CheckError(NOT_ALLOWED)
        payload = msgspec.json.encode(trace_builtins(trace))
        code, out, err = _execute(argv, env, payload, expr.timeout_ms, shown)
        if code not in (0, 1):
            status = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
            raise CheckError(f"{shown} {status}" + (f": {_tail(err)}" if err.strip() else ""))
        try:
            answer = protocol_verdict(msgspec.json.decode(out)) if out.strip() else None
        except msgspec.DecodeError:
            answer = None  # plain text output: the exit code decides
        if answer is not None:
            return answer
        reason = _tail(err) or _tail(out) or None
        return code == 0, reason

    return _remembering(expr, judge, f"{shown} exited with status 1")


def _execute(
    argv: list[str], env: CheckEnv, payload: bytes, timeout_ms: int, shown: str
) -> tuple[int, bytes, bytes]:
    """Run ``argv`` in the project root; kill its whole process group on timeout."""
    try:
        proc = subprocess.Popen(
            argv, cwd=env.root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        raise CheckError(f"{shown} could not start: {exc.strerror or exc}") from None
    with proc:
        try:
            out, err = proc.communicate(payload, timeout=timeout_ms / 1000)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            raise CheckError(f"{shown} timed out after {timeout_ms} ms") from None
    return proc.returncode, out, err


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and anything it started
    except (AttributeError, OSError):  # no process groups (Windows), or already gone
        proc.kill()


@evaluator(ir.Python)
def compile_python(expr: ir.Python, env: CheckEnv) -> Check:
    """Compile ``python "module:function"``: a callable gets the trace as a dict."""
    shown = quote(expr.target)

    def judge(trace: Trace) -> Verdict:
        if not env.allow_exec:
            raise CheckError(NOT_ALLOWED)
        function = env.cached("python", expr.target, lambda: import_target(env, expr.target))
        answer = call_with_timeout(function, trace_builtins(trace), expr.timeout_ms, shown)
        return python_verdict(answer, shown)

    return _remembering(expr, judge, f"{shown} returned false")


def import_target(env: CheckEnv, target: str) -> Callable[[dict[str, Any]], Any]:
    """Import ``module:function`` with the project root first on ``sys.path``."""
    module_name, _, attribute = target.partition(":")
    root = str(env.root.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except Exception as exc:  # the module's own import errors too
        raise CheckError(f"cannot load {quote(target)}: {type(exc).__name__}: {exc}") from None
    if not callable(found):
        raise CheckError(f"{quote(target)} is not callable")
    function: Callable[[dict[str, Any]], Any] = found
    return function


def call_with_timeout(
    function: Callable[[dict[str, Any]], Any], arg: dict[str, Any], timeout_ms: int, shown: str
) -> Any:
    """Call ``function(arg)`` in a daemon thread and wait at most ``timeout_ms``.

    A thread cannot be killed: after a timeout the call keeps running in the background until it
    returns; being a daemon thread, it does not keep the process alive at exit.
    """
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = function(arg)
        except BaseException as exc:  # reported to the caller, never lost in the thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="evalspec-python-guard", daemon=True)
    thread.start()
    thread.join(timeout_ms / 1000)
    if thread.is_alive():
        raise CheckError(f"{shown} timed out after {timeout_ms} ms")
    if "error" in box:
        exc = box["error"]
        raise CheckError(f"{shown} raised {type(exc).__name__}: {exc}")
    return box["value"]


def python_verdict(answer: Any, shown: str) -> Verdict:
    """Read a Python guard's answer: a bool, ``(bool, reason)`` or a protocol dict."""
    if isinstance(answer, bool):
        return answer, None
    if (
        isinstance(answer, tuple)
        and len(answer) == 2
        and isinstance(answer[0], bool)
        and isinstance(answer[1], (str, type(None)))
    ):
        return answer[0], answer[1]
    verdict = protocol_verdict(answer)
    if verdict is None:
        raise CheckError(f"{shown} returned {answer!r:.80}; expected a bool, (bool, reason) or "
                         '{"pass": bool, "reason": str}')  # fmt: skip
    return verdict


def needs_exec(doc: ir.EvalFile) -> list[tuple[str, Span]]:
    """List the guards and ``when`` clauses that would execute code, for ``--allow-exec``.

    Each item names the place and the node (``bad_tool_call/assert-3: run "./check.sh"``)
    and gives the span of the ``run`` or ``python`` node.
    """
    found: list[tuple[str, Span]] = []
    for mode in doc.modes:
        places: list[tuple[str, ir.Expr]] = [("when", mode.when)] if mode.when else []
        places += [(g.id, g.expr) for g in mode.guards if isinstance(g, ir.AssertGuard)]
        for place, expr in places:
            for node in ir.walk(expr):
                if isinstance(node, (ir.Run, ir.Python)):
                    found.append((f"{mode.name}/{place}: {describe(node)}", node.span))
    return found
