"""numpy's legacy ``RandomState(seed)`` stream in pure Python, for parity with judgy.

judgy draws its bootstrap indices from numpy's global legacy generator, so matching its numbers
bit for bit means replaying that generator exactly (notes/error-analysis.md §3.3):

- MT19937 seeded with the classic ``init_genrand(seed)``, which is what ``np.random.seed(int)``
  does. Python's ``random.seed`` uses ``init_by_array`` instead, so the 624-word state is computed
  here and installed with ``random.Random.setstate``; CPython then produces the very same
  tempered 32-bit outputs, at C speed.
- ``RandomState.randint(0, bound, size)`` (and so ``choice(a, size, replace=True)``): legacy
  masked rejection sampling, one 32-bit output per candidate, ``out & mask`` rejected while it is
  ``>= bound``.
- ``RandomState.rand()``: ``(a >> 5) * 2**26 + (b >> 6)) / 2**53`` from two outputs, which is
  exactly CPython's ``random.random()``.

Outputs are fetched in bulk with ``getrandbits(32 * count)``: CPython fills that integer with
``count`` consecutive outputs, the first one in the least significant 32 bits.
"""

from __future__ import annotations

import random
import sys
from array import array
from collections.abc import Sequence

__all__ = ["SEED_MAX", "LegacyStream", "init_genrand"]

#: The largest seed numpy's legacy seeding accepts as an integer.
SEED_MAX = 2**32 - 1

_N = 624
_MASK32 = 0xFFFFFFFF
_REJECT = -1  # table entry for masked values >= bound; table values must be >= 0

if array("I").itemsize != 4:  # pragma: no cover - every CPython platform has a 4-byte "I"
    raise ImportError("evalspec.judge.mt19937 needs array('I') to hold 32-bit words")


def init_genrand(seed: int) -> list[int]:
    """Return the 624-word MT19937 state of the reference ``init_genrand(seed)``.

    Args:
        seed: An integer in ``[0, 2**32 - 1]``, as ``np.random.seed`` requires.

    Raises:
        ValueError: If the seed is out of range (numpy's message).
    """
    if not 0 <= seed <= SEED_MAX:
        raise ValueError("Seed must be between 0 and 2**32 - 1")
    state = [seed]
    prev = seed
    for i in range(1, _N):
        prev = (1812433253 * (prev ^ (prev >> 30)) + i) & _MASK32
        state.append(prev)
    return state


class LegacyStream:
    """The output stream of ``numpy.random.RandomState(seed)`` for the draws judgy makes.

    Every method consumes exactly the outputs numpy would, so calls can be interleaved in the
    same order as a numpy script and stay in step with it.
    """

    def __init__(self, seed: int) -> None:
        self._rng = random.Random()
        self._rng.setstate((3, (*init_genrand(seed), _N), None))

    def words(self, count: int) -> list[int]:
        """Return the next ``count`` raw 32-bit outputs."""
        if count <= 0:
            return []
        raw = self._rng.getrandbits(32 * count).to_bytes(4 * count, "little")
        out = array("I", raw)
        if sys.byteorder == "big":  # pragma: no cover - the bytes are little-endian words
            out.byteswap()
        return out.tolist()

    def random(self) -> float:
        """Return the next ``RandomState.rand()`` double in [0, 1)."""
        return self._rng.random()

    def randint(self, bound: int, size: int) -> list[int]:
        """Return ``RandomState.randint(0, bound, size=size)`` as a list.

        Args:
            bound: The exclusive upper bound, at most ``2**32`` (numpy switches to 64-bit
                draws above that, which this stream does not replay).
            size: How many indices to draw.
        """
        if not 1 <= bound <= 2**32:
            raise ValueError(f"bound must be between 1 and 2**32, got {bound}")
        if bound == 1:  # numpy consumes no output when the range holds one value
            return [0] * size
        mask = (1 << (bound - 1).bit_length()) - 1
        out: list[int] = []
        while len(out) < size:
            values = map(mask.__and__, self.words(size - len(out)))
            out.extend(filter(bound.__gt__, values) if bound <= mask else values)
        return out

    def lookup(self, table: Sequence[int], size: int) -> list[int]:
        """Return ``[table[i] for i in RandomState.randint(0, len(table), size=size)]``.

        Mapping through ``table`` while drawing keeps the whole inner loop in C (``map`` over
        bound methods), which is what makes 20,000 bootstrap draws cheap.

        Args:
            table: Non-negative integers; ``len(table)`` is the exclusive upper bound.
            size: How many indices to draw.
        """
        bound = len(table)
        if bound <= 1:  # numpy consumes no output when the range holds one value
            return [table[0]] * size if bound else []
        mask = (1 << (bound - 1).bit_length()) - 1
        padded = [*table, *[_REJECT] * (mask + 1 - bound)]
        out: list[int] = []
        while len(out) < size:
            # Each output yields at most one value, so asking for exactly the shortfall never
            # consumes an output numpy would not have consumed.
            values = map(padded.__getitem__, map(mask.__and__, self.words(size - len(out))))
            out.extend(filter(_REJECT.__ne__, values) if bound <= mask else values)
        return out
