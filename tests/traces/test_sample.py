"""Reservoir sampling: determinism, uniformity, stratification and its allocation."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from evalspec.errors import UsageError
from evalspec.traces import Trace
from evalspec.traces.sample import MAX_STRATA, Reservoir, allocate, field_value, sample


def _traces(count: int, **strata: int) -> list[Trace]:
    if strata:
        kinds = [kind for kind, n in strata.items() for _ in range(n)]
        return [Trace(id=f"t{i}", metadata={"persona": kind}) for i, kind in enumerate(kinds)]
    return [Trace(id=f"t{i}") for i in range(count)]


def test_same_seed_same_sample_in_input_order() -> None:
    traces = _traces(1000)
    first = [t.id for t in sample(iter(traces), 10, seed=7)]
    assert first == [t.id for t in sample(iter(traces), 10, seed=7)]
    assert first != [t.id for t in sample(iter(traces), 10, seed=8)]
    assert first == sorted(first, key=lambda i: int(i[1:]))


def test_small_inputs_are_returned_whole() -> None:
    assert [t.id for t in sample(_traces(3), 10, seed=1)] == ["t0", "t1", "t2"]
    assert sample(_traces(3), 0, seed=1) == []


def test_the_reservoir_is_uniform() -> None:
    hits: Counter[int] = Counter()
    for seed in range(2000):
        reservoir: Reservoir[int] = Reservoir(5, random.Random(seed))
        for item in range(50):
            reservoir.offer(item)
        hits.update(reservoir.items)
    # every item is kept with probability 5/50: 200 of 2000 runs, give or take sampling noise
    assert all(140 < hits[item] < 260 for item in range(50)), hits


def test_proportional_strata() -> None:
    traces = _traces(0, new=600, returning=300, vip=100)
    chosen = sample(traces, 20, seed=3, by="metadata.persona")
    assert Counter(t.metadata["persona"] for t in chosen) == {"new": 12, "returning": 6, "vip": 2}


def test_equal_strata_and_small_ones() -> None:
    traces = _traces(0, new=600, returning=300, vip=2)
    chosen = sample(traces, 20, seed=3, by="metadata.persona", allocation="equal")
    assert Counter(t.metadata["persona"] for t in chosen) == {"new": 9, "returning": 9, "vip": 2}


def test_missing_values_form_a_stratum() -> None:
    traces = [*_traces(0, a=10), Trace(id="x")]
    chosen = sample(traces, 11, seed=1, by="metadata.persona", allocation="equal")
    assert "x" in {t.id for t in chosen}


def test_allocation_rounds_by_largest_remainder() -> None:
    assert allocate({"a": 1, "b": 1, "c": 1}, 2, "proportional") == {"a": 1, "b": 1, "c": 0}
    assert sum(allocate({"a": 7, "b": 5, "c": 3}, 10, "equal").values()) == 10


def test_bad_fields() -> None:
    with pytest.raises(UsageError):
        sample(_traces(3), 1, seed=1, by="persona")
    many = [Trace(id=str(i), metadata={"u": i}) for i in range(MAX_STRATA + 1)]
    with pytest.raises(UsageError):
        sample(many, 1, seed=1, by="metadata.u")


def test_field_paths() -> None:
    trace = Trace(id="t", metadata={"a": {"b": [1, 2]}}, output="o")
    assert [
        field_value(trace, p) for p in ("metadata.a.b.1", "output", "metadata.x.y", "source.format")
    ] == [2, "o", None, None]
