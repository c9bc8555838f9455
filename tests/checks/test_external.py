"""run and python guards: exit codes, JSON answers, timeouts, and --allow-exec off."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest
from checks_helpers import ERROR, FAIL, PASS, Checker, trace

from evalspec.checks import needs_exec
from evalspec.checks.external import trace_builtins
from evalspec.lang.load import compile_text

PY = sys.executable


def script(root: Path, name: str, body: str) -> str:
    (root / name).write_text(textwrap.dedent(body), encoding="utf-8")
    return f"{PY} {name}"


@pytest.fixture
def run(check: Checker) -> Checker:
    check.allow_exec = True
    return check


READ = "import json, sys\ntrace = json.load(sys.stdin)\n"


def test_exit_codes_decide(run: Checker) -> None:
    cmd = script(run.root, "p.py", READ + "sys.exit(0 if 'ok' in trace['output'] else 1)\n")
    assert run(f'run "{cmd}"', trace(output="ok")) == (PASS, None)
    assert run(f'run "{cmd}"', trace(output="no")) == (FAIL, f'"{cmd}" exited with status 1')


def test_stderr_is_the_reason_on_failure(run: Checker) -> None:
    cmd = script(
        run.root,
        "p.py",
        "import sys\nsys.stdin.read()\nprint('too rude', file=sys.stderr)\nsys.exit(1)\n",
    )
    assert run(f'run "{cmd}"', trace(output="x")) == (FAIL, "too rude")


def test_json_answer_decides(run: Checker) -> None:
    body = (
        READ + "print(json.dumps({'pass': trace['metadata']['n'] > 1, 'reason': 'n too small'}))\n"
    )
    cmd = script(run.root, "p.py", body)
    assert run(f'run "{cmd}"', trace(metadata={"n": 2})) == (PASS, None)
    assert run(f'run "{cmd}"', trace(metadata={"n": 0})) == (FAIL, "n too small")
    verdict = script(
        run.root, "v.py", READ + "print(json.dumps({'verdict': 'fail'}))\nsys.exit(0)\n"
    )
    assert run(f'run "{verdict}"', trace()) == (FAIL, f'"{verdict}" exited with status 1')
    error = script(
        run.root, "e.py", READ + "print(json.dumps({'verdict': 'error', 'reason': 'no data'}))\n"
    )
    assert run(f'run "{error}"', trace()) == (ERROR, "no data")


def test_every_top_level_field_is_sent(run: Checker) -> None:
    cmd = script(
        run.root,
        "p.py",
        READ + "sys.exit(0 if trace['input'] is None and trace['tool_calls'] == [] else 1)\n",
    )
    assert run(f'run "{cmd}"', trace(output="x")) == (PASS, None)
    data = trace_builtins(trace(output="x"))
    assert data["output"] == "x" and data["messages"] == [] and data["cost"] is None


def test_other_exit_codes_crashes_and_timeouts_are_errors(run: Checker) -> None:
    crash = script(run.root, "c.py", "import sys\nsys.stdin.read()\nraise SystemExit(3)\n")
    assert run(f'run "{crash}"', trace()) == (ERROR, f'"{crash}" exited with status 3')
    killed = script(run.root, "k.py", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    assert run(f'run "{killed}"', trace()) == (ERROR, f'"{killed}" was killed by signal 9')
    boom = script(run.root, "b.py", "import sys\nprint('no input', file=sys.stderr)\nsys.exit(2)\n")
    assert run(f'run "{boom}"', trace()) == (ERROR, f'"{boom}" exited with status 2: no input')
    slow = script(run.root, "s.py", "import time\ntime.sleep(5)\n")
    start = time.monotonic()
    assert run(f'run "{slow}" timeout 200ms', trace()) == (
        ERROR,
        f'"{slow}" timed out after 200 ms',
    )
    assert time.monotonic() - start < 3
    assert run('run "./no-such-program"', trace()) == (
        ERROR, '"./no-such-program" could not start: No such file or directory',
    )  # fmt: skip


def test_not_run_without_allow_exec(check: Checker) -> None:
    marker = check.root / "ran"
    cmd = script(check.root, "p.py", f"open({str(marker)!r}, 'w').close()\n")
    assert check(f'run "{cmd}"', trace()) == (ERROR, "not run: pass --allow-exec")
    assert check('python "guard:check"', trace()) == (ERROR, "not run: pass --allow-exec")
    assert not marker.exists()


def module(root: Path, name: str, body: str) -> None:
    (root / f"{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")


def test_python_guard_answers(run: Checker) -> None:
    module(
        run.root,
        "pyguard_answers",
        """
        def boolean(trace):
            return "ok" in trace["output"]

        def pair(trace):
            return False, "not polite"

        def protocol(trace):
            return {"verdict": "fail", "reason": "said so"}

        def odd(trace):
            return 1

        def boom(trace):
            raise ValueError("bad trace")
    """,
    )
    assert run('python "pyguard_answers:boolean"', trace(output="ok")) == (PASS, None)
    assert run('python "pyguard_answers:boolean"', trace(output="no")) == (
        FAIL, '"pyguard_answers:boolean" returned false',
    )  # fmt: skip
    assert run('python "pyguard_answers:pair"', trace()) == (FAIL, "not polite")
    assert run('python "pyguard_answers:protocol"', trace()) == (FAIL, "said so")
    assert run('python "pyguard_answers:odd"', trace()) == (
        ERROR, '"pyguard_answers:odd" returned 1; expected a bool, (bool, reason) or '
        '{"pass": bool, "reason": str}',
    )  # fmt: skip
    assert run('python "pyguard_answers:boom"', trace()) == (
        ERROR, '"pyguard_answers:boom" raised ValueError: bad trace',
    )  # fmt: skip


def test_python_guard_import_problems_and_timeout(run: Checker) -> None:
    assert run('python "pyguard_absent:f"', trace()) == (
        ERROR,
        "cannot load \"pyguard_absent:f\": ModuleNotFoundError: "
        "No module named 'pyguard_absent'",
    )  # fmt: skip
    module(
        run.root,
        "pyguard_slow",
        "import time\n\ndef f(trace):\n    time.sleep(2)\n    return True\n",
    )
    start = time.monotonic()
    assert run('python "pyguard_slow:f" timeout 100ms', trace()) == (
        ERROR, '"pyguard_slow:f" timed out after 100 ms',
    )  # fmt: skip
    assert time.monotonic() - start < 1


def test_needs_exec(tmp_path: Path) -> None:
    src = (
        'mode a {\n  when run "w.sh"\n  assert output is json\n'
        '  assert not (python "m:f" or output contains "x")\n}\n'
        "mode b {\n  assert output is json\n}\n"
    )
    found = needs_exec(compile_text(src, "t.eval", root=tmp_path))
    assert [(text, span.line) for text, span in found] == [
        ('a/when: run "w.sh"', 2), ('a/assert-2: python "m:f"', 4),
    ]  # fmt: skip
