"""numpy's legacy ``RandomState(seed)`` stream in pure Python, for parity with judgy.

judgy draws its bootstrap indices from numpy's global legacy generator, so matching its numbers
bit for bit means replaying that generator exactly (notes/error-analysis.md §3.3):

- MT19937 seeded with the classic ``init_genrand(seed)``, which is what ``np.random.seed(int)``
  does. Python's ``random.seed`` uses ``init_by_array`` instead, so the 624-word state is computed
  here and installed with ``random.Random.setstate``; CPython then produces the very same
  tempered 32-bit outputs, at C speed.
- ``RandomState.randint(0, bound, size)`` (and so ``choice(a, size, replace=True)``): legacy
  masked rejection sampling, one 32-bit output per candidate, ``output & mask`` rejected while it
  is ``>= bound``. No output is consumed when ``bound == 1``.
- ``RandomState.rand()``: ``((a >> 5) * 2**26 + (b >> 6)) / 2**53`` from two outputs (the
  formula of CPython's ``random.random()`` too).

Outputs are fetched in bulk with ``getrandbits(32 * count)``: CPython fills that integer with
``count`` consecutive outputs, the first one in the least significant 32 bits.
"""

from __future__ import annotations

import random
import sys
from array import array
from collections.abc import Sequence

__all__ = ["SEED_MAX", "IndexTally", "LegacyStream", "init_genrand"]

#: The largest seed numpy's legacy seeding accepts as an integer.
SEED_MAX = 2**32 - 1

_N = 624
_MASK32 = 0xFFFFFFFF
_BLOCK = 1 << 14  # outputs generated at a time


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
        self._buffer = b""
        self._offset = 0

    def raw(self, count: int) -> bytes:
        """Return the next ``count`` 32-bit outputs as little-endian words (``4 * count`` bytes)."""
        end = self._offset + 4 * count
        if end > len(self._buffer):
            # Generating ahead in blocks is invisible to callers (outputs are handed out in
            # order) and saves a big-integer conversion per small request.
            fresh = max(count, _BLOCK)
            self._buffer = self._buffer[self._offset :] + self._rng.getrandbits(
                32 * fresh
            ).to_bytes(4 * fresh, "little")
            self._offset, end = 0, 4 * count
        out = self._buffer[self._offset : end]
        self._offset = end
        return out

    def words(self, count: int) -> list[int]:
        """Return the next ``count`` 32-bit outputs."""
        return _words(self.raw(count))

    def random(self) -> float:
        """Return the next ``RandomState.rand()`` double in [0, 1)."""
        a, b = self.words(2)
        return ((a >> 5) * 67108864.0 + (b >> 6)) / 9007199254740992.0

    def randint(self, bound: int, size: int) -> list[int]:
        """Return ``RandomState.randint(0, bound, size=size)`` as a list.

        Args:
            bound: The exclusive upper bound, at most ``2**32`` (numpy switches to 64-bit
                draws above that, which this stream does not replay).
            size: How many indices to draw.
        """
        if not 1 <= bound <= 2**32:
            raise ValueError(f"bound must be between 1 and 2**32, got {bound}")
        if bound == 1:
            return [0] * size
        mask = (1 << (bound - 1).bit_length()) - 1
        out: list[int] = []
        while len(out) < size:
            # Each output yields at most one index, so asking for exactly the shortfall never
            # consumes an output numpy would not have consumed.
            out.extend(v for v in (w & mask for w in self.words(size - len(out))) if v < bound)
        return out


class IndexTally:
    """Counts, per code, ``codes[i]`` over ``RandomState.randint(0, len(codes), size)`` draws.

    A bootstrap only needs how many drawn items fall in each cell (TP, FN, ...), never the
    indices, so the lookup runs on the raw bytes with ``bytes.translate`` and big-integer
    ``&``/``bit_count``, all in C:

    - ``len(codes) <= 256``: the masked index is the low byte of each word; one translation
      maps it to its code, with ``len(set(codes))`` marking a rejected draw.
    - ``len(codes) <= 65536``: the index is ``lo + 256 * hi`` (``hi`` = the second byte, masked).
      For each group of eight ``hi`` values, ``lo`` is translated to a byte whose bit ``j`` says
      "index ``lo + 256 * (8g + j)`` has this code", ``hi`` to the one-hot byte ``1 << (hi - 8g)``;
      the bits left after ``&`` are the draws with that code.
    - larger tables: a plain per-index loop.
    """

    def __init__(self, codes: Sequence[int], ncodes: int | None = None) -> None:
        """Precompute the lookup tables.

        Args:
            codes: The code of each index, each in ``range(ncodes)``.
            ncodes: How many codes there are (the length of :meth:`draw`'s counts); by default
                ``max(codes) + 1``.
        """
        if not 1 <= len(codes) <= 2**32:
            raise ValueError(f"codes must hold between 1 and 2**32 entries, got {len(codes)}")
        self.codes = list(codes)
        self.ncodes = max(codes) + 1 if ncodes is None else ncodes
        if not all(0 <= code < self.ncodes for code in self.codes):
            raise ValueError(f"codes must lie in range({self.ncodes})")
        self.mask = (1 << (len(codes) - 1).bit_length()) - 1
        if self.mask < 256:
            self._byte_table = bytes(self._code(b & self.mask) for b in range(256))
            self._rejected = bytes(b for b in range(256) if (b & self.mask) >= len(self.codes))
        elif self.mask < 65536:
            self._groups = [self._group(g) for g in range(0, (self.mask >> 8) + 1, 8)]

    def _code(self, index: int) -> int:
        """Return the code of ``index``, or ``ncodes`` when the draw is rejected."""
        return self.codes[index] if index < len(self.codes) else self.ncodes

    def _group(self, first: int) -> tuple[bytes, list[bytes]]:
        """Return the one-hot ``hi`` table and per-code ``lo`` tables for eight ``hi`` values."""
        hi_mask = self.mask >> 8
        onehot = bytes(
            1 << ((h & hi_mask) - first) if 0 <= (h & hi_mask) - first < 8 else 0
            for h in range(256)
        )
        per_code = [
            bytes(
                sum(1 << j for j in range(8) if self._code(lo + 256 * (first + j)) == code)
                for lo in range(256)
            )
            for code in range(self.ncodes)
        ]
        return onehot, per_code

    def draw(self, stream: LegacyStream, size: int) -> list[int]:
        """Draw ``size`` indices from ``stream``; return how many fall on each code."""
        counts = [0] * self.ncodes
        if len(self.codes) == 1:  # numpy consumes no output for a one-value range
            counts[self.codes[0]] = size
            return counts
        shortfall = size
        while shortfall:
            # Each output yields at most one index, so asking for exactly the shortfall never
            # consumes an output numpy would not have consumed.
            for code, got in enumerate(self._round(stream.raw(shortfall))):
                counts[code] += got
            shortfall = size - sum(counts)
        return counts

    def sequence(self, stream: LegacyStream, size: int) -> bytes:
        """Draw ``size`` indices from ``stream``; return their codes, in order, one byte each.

        Only for tables of at most 256 entries, where it is a single ``bytes.translate`` per
        round: that lets a caller draw many bootstrap samples at once and count each slice.
        """
        if len(self.codes) > 256:
            raise ValueError("sequence() needs a table of at most 256 entries")
        if len(self.codes) == 1:
            return bytes(self.codes) * size
        parts: list[bytes] = []
        shortfall = size
        while shortfall:
            parts.append(stream.raw(shortfall)[0::4].translate(self._byte_table, self._rejected))
            shortfall -= len(parts[-1])
        return b"".join(parts)

    def _round(self, raw: bytes) -> list[int]:
        """Count the codes of the accepted draws among the words of ``raw``."""
        if self.mask < 256:
            coded = raw[0::4].translate(self._byte_table)
            return [coded.count(code) for code in range(self.ncodes)]
        if self.mask < 65536:
            return self._round_two_bytes(raw[0::4], raw[1::4])
        slow = list(map(self._code, map(self.mask.__and__, _words(raw))))
        return [slow.count(code) for code in range(self.ncodes)]

    def _round_two_bytes(self, lo: bytes, hi: bytes) -> list[int]:
        counts = [0] * self.ncodes
        for onehot, per_code in self._groups:
            selected = int.from_bytes(hi.translate(onehot), "little")
            for code, table in enumerate(per_code):
                hits = int.from_bytes(lo.translate(table), "little") & selected
                counts[code] += hits.bit_count()
        return counts


def _words(raw: bytes) -> list[int]:
    words = array("I", raw)
    if sys.byteorder == "big":  # pragma: no cover - the bytes hold little-endian words
        words.byteswap()
    return words.tolist()


if array("I").itemsize != 4:  # pragma: no cover - "I" is 4 bytes on every CPython platform
    raise ImportError("evalspec.judge.mt19937 needs array('I') to hold 32-bit words")
