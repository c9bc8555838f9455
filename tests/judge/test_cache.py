from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from evalspec.judge.cache import (
    SCHEMA_VERSION,
    CachedVerdict,
    CacheError,
    ReplayCache,
    VerdictCache,
    key,
    open_cache,
)

MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
PARAMS = {"temperature": 0.0}


def fill(cache: VerdictCache | ReplayCache, n: int, start: int = 0) -> list[str]:
    keys = []
    for i in range(start, start + n):
        k = key("m", [{"role": "user", "content": f"q{i}"}], PARAMS)
        cache.put(
            k, "m", "fail" if i % 2 else "pass", f"critique {i}", created="2026-11-20T10:00:00Z"
        )
        keys.append(k)
    return keys


# ------------------------------------------------------------------------ keys


def test_key_is_sha256_hex_and_deterministic() -> None:
    k = key("gpt-x", MESSAGES, PARAMS)
    assert len(k) == 64 and int(k, 16) >= 0
    assert key("gpt-x", [dict(reversed(m.items())) for m in MESSAGES], PARAMS) == k


@pytest.mark.parametrize(
    ("model", "messages", "params"),
    [
        ("gpt-y", MESSAGES, PARAMS),
        ("gpt-x", [*MESSAGES[:1], {"role": "user", "content": "u "}], PARAMS),
        ("gpt-x", MESSAGES[1:], PARAMS),
        ("gpt-x", MESSAGES, {"temperature": 0.5}),
        ("gpt-x", MESSAGES, {"temperature": 0.0, "max_tokens": 10}),
    ],
)
def test_key_changes_with_model_prompt_and_parameters(
    model: str, messages: list[dict[str, str]], params: dict[str, float]
) -> None:
    assert key(model, messages, params) != key("gpt-x", MESSAGES, PARAMS)


# ------------------------------------------------------------------------ SQLite store


def test_put_get_and_first_writer_wins(cache: VerdictCache) -> None:
    k = key("m", MESSAGES, PARAMS)
    assert cache.get(k) is None and k not in cache
    assert cache.put(k, "m", "fail", "Gives advice.", created="2026-11-20T10:00:00Z") is True
    assert cache.put(k, "m", "pass", "other") is False
    assert cache.get(k) == CachedVerdict(k, "m", "fail", "Gives advice.", "2026-11-20T10:00:00Z")
    assert k in cache and len(cache) == 1


def test_created_defaults_to_utc_now(cache: VerdictCache) -> None:
    cache.put("k", "m", "pass", "")
    created = cache.get("k").created  # type: ignore[union-attr]
    assert len(created) == 20 and created.endswith("Z") and created[10] == "T"


@pytest.mark.parametrize("result", ["error", "PASS", ""])
def test_only_pass_and_fail_are_cached(cache: VerdictCache, result: str) -> None:
    with pytest.raises(ValueError, match="only pass/fail"):
        cache.put("k", "m", result, "")
    assert len(cache) == 0


def test_each_put_is_committed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    writer = VerdictCache(path)
    fill(writer, 3)
    # A separate connection (another process would be the same) sees it before any close.
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 3
    writer.close()
    with VerdictCache(path) as reopened:
        assert len(reopened) == 3


def test_wal_mode_and_schema_version(cache: VerdictCache) -> None:
    with sqlite3.connect(cache.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    VerdictCache(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(CacheError, match="schema version 99"):
        VerdictCache(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    path.write_text("not sqlite " * 200)
    with pytest.raises(CacheError, match="cannot open verdict cache"):
        VerdictCache(path)


def test_a_path_that_cannot_be_created_is_a_cache_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(CacheError, match="cannot open verdict cache"):
        VerdictCache(tmp_path / "file" / "v.db")


def test_two_processes_write_one_file(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    script = textwrap.dedent(
        f"""
        from evalspec.judge.cache import VerdictCache
        c = VerdictCache({str(path)!r})
        for i in range(150):
            c.put(f"child{{i}}", "m", "pass", "")
            c.put(f"shared{{i}}", "m", "fail", "child")
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script])
    with VerdictCache(path) as cache:
        for i in range(150):
            cache.put(f"parent{i}", "m", "pass", "")
            cache.put(f"shared{i}", "m", "fail", "parent")
        assert child.wait(timeout=30) == 0
        assert len(cache) == 450  # nothing lost, each shared key stored exactly once


# ------------------------------------------------------------------------ JSONL export / import


def test_export_is_sorted_canonical_and_stable(cache: VerdictCache, tmp_path: Path) -> None:
    keys = fill(cache, 5)
    out = tmp_path / "verdicts.jsonl"
    assert cache.export_jsonl(out) == 5
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["key"] for line in lines] == sorted(keys)
    first = json.loads(lines[0])
    assert list(first) == ["key", "model", "result", "critique", "created"]
    assert lines[0] == json.dumps(first, separators=(",", ":"), ensure_ascii=False)
    again = tmp_path / "again.jsonl"
    cache.export_jsonl(again)
    assert again.read_bytes() == out.read_bytes()
    assert out.read_bytes().endswith(b"\n")
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically through a temporary file


def test_import_round_trips_and_keeps_existing_unless_replace(
    cache: VerdictCache, tmp_path: Path
) -> None:
    fill(cache, 4)
    exported = tmp_path / "a.jsonl"
    cache.export_jsonl(exported)
    with VerdictCache(tmp_path / "b.db") as other:
        assert other.import_jsonl(exported) == 4
        assert other.import_jsonl(exported) == 0
        roundtrip = tmp_path / "b.jsonl"
        other.export_jsonl(roundtrip)
        assert roundtrip.read_bytes() == exported.read_bytes()
        first = next(iter(other))
        other.put("zz", "m", "pass", "")
        changed = [json.loads(line) for line in exported.read_text().splitlines()]
        changed[0]["critique"] = "revised"
        exported.write_text("".join(json.dumps(row) + "\n" for row in changed))
        assert other.import_jsonl(exported) == 0
        assert other.get(first.key).critique == first.critique  # type: ignore[union-attr]
        assert other.import_jsonl(exported, replace=True) == 4
        assert other.get(first.key).critique == "revised"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "bad",
    [
        '{"key": "k", "model": "m", "result": "error", "critique": "", "created": "x"}',
        '{"key": "k", "model": "m", "result": "pass", "critique": ""}',
        '{"key": "k", "model": "m", "result": "pass", "critique": "", "created": "x", "extra": 1}',
        "not json",
    ],
)
def test_import_rejects_a_bad_line_and_imports_nothing(
    cache: VerdictCache, tmp_path: Path, bad: str
) -> None:
    good = '{"key": "a", "model": "m", "result": "pass", "critique": "", "created": "x"}'
    path = tmp_path / "bad.jsonl"
    path.write_text(f"{good}\n\n{bad}\n")
    with pytest.raises(CacheError, match=r"bad\.jsonl:3: invalid verdict line"):
        cache.import_jsonl(path)
    assert len(cache) == 0


def test_missing_file_is_a_cache_error(tmp_path: Path) -> None:
    with pytest.raises(CacheError, match="cannot read verdict file"):
        ReplayCache(tmp_path / "nope.jsonl")


# ------------------------------------------------------------------------ replay


def test_replay_reads_a_committed_file_and_never_writes(
    cache: VerdictCache, tmp_path: Path
) -> None:
    keys = fill(cache, 3)
    committed = tmp_path / "verdicts.jsonl"
    cache.export_jsonl(committed)
    before = committed.read_bytes()
    files = sorted(tmp_path.iterdir())
    replay = open_cache(committed)
    assert isinstance(replay, ReplayCache) and replay.readonly
    assert replay.get(keys[1]) == cache.get(keys[1])
    assert replay.put("new", "m", "fail", "fresh") is True
    assert replay.put(keys[0], "m", "fail", "again") is False
    assert replay.get("new") is not None and [v.key for v in replay.unsaved] == ["new"]
    assert committed.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == files  # no database or side file was created
    merged = tmp_path / "merged.jsonl"
    assert replay.export_jsonl(merged) == 4


def test_open_cache_picks_sqlite_for_other_suffixes(tmp_path: Path) -> None:
    opened = open_cache(tmp_path / "sub" / "cache.db")
    assert isinstance(opened, VerdictCache)
    opened.close()
    assert repr(opened) == f"VerdictCache({str(tmp_path / 'sub' / 'cache.db')!r})"
