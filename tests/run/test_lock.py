"""The lock file ``evalspec.lock``: deterministic TOML, round trip, schema and errors (ES601)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

from evalspec._resources import schemas_dir
from evalspec.errors import UsageError
from evalspec.run.baseline import (
    JudgeCalibration,
    Lock,
    ModeBaseline,
    SpecLock,
    lock_schema,
    read_lock,
    write_lock,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CALIBRATION = JudgeCalibration(
    model="m", prompt_sha256="p" * 64, labels_sha256="l" * 64, labels=100, split=[15, 40, 45],
    seed=42, train=15, dev=40, test=45, dev_tpr="0.9", dev_tnr="0.8", tpr="0.88", tnr="0.75",
    tp=22, fn=3, tn=15, fp=5, calibrated="2026-11-20",
)  # fmt: skip


def sample_lock() -> Lock:
    return Lock(
        evalspec="0.1.0",
        specs={
            "b.eval": SpecLock(sha256="ab", traces=3, fingerprint="3:0000000000000001"),
            "a.eval": SpecLock(
                sha256="cd",
                traces=100,
                fingerprint="100:00000000000000ff",
                modes={
                    "zeta": ModeBaseline(evaluated=100, fired=2, rate="0.02"),
                    "alpha": ModeBaseline(evaluated=40, fired=0, rate="0"),
                },
                judges={"zeta/tone": CALIBRATION},
            ),
        },
    )


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "evalspec.lock"
    write_lock(path, sample_lock())
    assert read_lock(path) == sample_lock()


def test_written_text_is_sorted_commented_and_float_free(tmp_path: Path) -> None:
    path = tmp_path / "evalspec.lock"
    write_lock(path, sample_lock())
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# evalspec.lock: written by `evalspec baseline`")
    assert text.index('[specs."a.eval"]') < text.index('[specs."b.eval"]')
    assert text.index("modes.alpha]") < text.index("modes.zeta]")
    assert '[specs."a.eval".modes.zeta]\nevaluated = 100\nfired = 2\nrate = "0.02"\n' in text
    # Rewriting the same lock gives the same bytes: a baseline diff shows only real changes.
    write_lock(path, read_lock(path))
    assert path.read_text(encoding="utf-8") == text


def test_written_lock_validates_against_the_published_schema(tmp_path: Path) -> None:
    path = tmp_path / "evalspec.lock"
    write_lock(path, sample_lock())
    schema = json.loads((schemas_dir() / "evalspec-lock.v1.schema.json").read_text())
    assert schema == lock_schema()
    jsonschema.validate(tomllib.loads(path.read_text(encoding="utf-8")), schema)


def test_missing_lock_is_empty(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "evalspec.lock") == Lock()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = \n", "the lock file is not valid: "),
        ('version = 1\n[specs."a.eval"]\ntraces = "many"\n', "the lock file is not valid: "),
        ("version = 1\nunknown = 3\n", "the lock file is not valid: "),
        ("version = 2\n", "lock file version 2 is not supported (expected 1)"),
    ],
)
def test_invalid_lock_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "evalspec.lock"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_lock(path)
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.path) == ("ES601", path.as_posix())
    assert diag.message.startswith(message)
    assert caught.value.exit_code == 2


def test_lock_that_is_not_utf8_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "evalspec.lock"
    path.write_bytes(b"version = 1\n# \xff\xfe\n")
    with pytest.raises(UsageError) as caught:
        read_lock(path)
    assert caught.value.diagnostics[0].code == "ES601"
