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

import functools
import operator
import random
import sys
from array import array
from collections.abc import Callable, Sequence

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

    def peek(self, count: int) -> bytes:
        """Return the next ``count`` outputs as little-endian words, without consuming them."""
        end = self._offset + 4 * count
        if end > len(self._buffer):
            # Generating ahead in blocks is invisible to callers (outputs are handed out in
            # order) and saves a big-integer conversion per small request.
            fresh = max(count, _BLOCK)
            block = self._rng.getrandbits(32 * fresh).to_bytes(4 * fresh, "little")
            self._buffer = self._buffer[self._offset :] + block
            self._offset, end = 0, 4 * count
        return self._buffer[self._offset : end]

    def advance(self, count: int) -> None:
        """Consume ``count`` outputs (at most as many as the last :meth:`peek` returned)."""
        self._offset += 4 * count

    def raw(self, count: int) -> bytes:
        """Consume and return the next ``count`` outputs as little-endian words."""
        out = self.peek(count)
        self.advance(count)
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
    indices, so the lookup runs on the raw bytes with ``bytes.translate``, ``bytes.count`` and
    big-integer ``&``, all in C:

    - ``len(codes) <= 256``: the masked index is the low byte of each word; one translation
      maps it to its code, with the value ``ncodes`` marking a rejected draw.
    - ``len(codes) <= 65536``: the index is ``lo + 256 * hi`` (``hi`` = the second byte, masked).
      For each group of eight ``hi`` values, ``lo`` is translated to a byte whose bit ``j`` says
      "index ``lo + 256 * (8g + j)`` has this code", ``hi`` to the one-hot byte ``1 << (hi - 8g)``;
      the bytes left non-zero after ``&`` are the draws with that code.
    - larger tables: a plain per-index loop.

    Codes are small integers (at most 254), so that every code fits a byte next to the marker.
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
        if not 1 <= self.ncodes <= 255 or not all(0 <= c < self.ncodes for c in self.codes):
            raise ValueError(f"codes must lie in range({self.ncodes}), at most range(255)")
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
        """Draw ``size`` indices from ``stream``; return how many fall on each code.

        Looks ahead at a window of outputs, finds how many of them ``size`` accepted draws use
        (``used = size + rejects among the first used``, iterated to its fixed point), and
        consumes exactly those.
        """
        if len(self.codes) == 1:  # numpy consumes no output for a one-value range
            return [size if code == self.codes[0] else 0 for code in range(self.ncodes)]
        expected_rejects = size * (self.mask + 1 - len(self.codes)) // len(self.codes)
        window = size + 2 * expected_rejects + 32
        while True:
            rejected, counts = self._lookahead(stream.peek(window))
            used = size
            while used <= window:
                missing = size + rejected(used) - used
                if not missing:
                    stream.advance(used)
                    return counts(used)
                used += missing
            window *= 2

    def sequence(self, stream: LegacyStream, size: int) -> bytes:
        """Draw ``size`` indices from ``stream``; return their codes, in order, one byte each.

        Only for tables of at most 256 entries, where a single ``bytes.translate`` per round
        maps the draws and drops the rejected ones: a caller can then draw many bootstrap
        samples in one call and count each slice. (For larger tables this is no faster than
        :meth:`draw`, which is why it is not offered.)
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

    def _lookahead(self, raw: bytes) -> tuple[Callable[[int], int], Callable[[int], list[int]]]:
        """Return ``rejected(used)`` and ``counts(used)`` over the first ``used`` outputs.

        ``counts`` only counts accepted draws; both are cheap, so the fixed point costs little.
        """
        codes = range(self.ncodes)
        if self.mask < 256:
            coded = raw[0::4].translate(self._byte_table)
            reject = self.ncodes
            return (
                lambda used: coded.count(reject, 0, used),
                lambda used: [coded.count(code, 0, used) for code in codes],
            )
        if self.mask < 65536:
            hits = self._hits(raw[0::4], raw[1::4])
            # Back to bytes, where a zero byte means "not this code": prefix counts are then a
            # single bytes.count instead of a big-integer mask per call.
            accepted = functools.reduce(operator.or_, hits).to_bytes(len(raw) // 4, "little")
            per_code = [bits.to_bytes(len(raw) // 4, "little") for bits in hits]
            return (
                lambda used: accepted.count(0, 0, used),
                lambda used: [used - hit.count(0, 0, used) for hit in per_code],
            )
        slow = list(map(self._code, map(self.mask.__and__, _words(raw))))
        return (
            lambda used: slow[:used].count(self.ncodes),
            lambda used: [slow[:used].count(code) for code in codes],
        )

    def _hits(self, lo: bytes, hi: bytes) -> list[int]:
        """Per code, an integer whose byte ``i`` is non-zero (one bit) if draw ``i`` has it."""
        hits = [0] * self.ncodes
        for onehot, per_code in self._groups:
            selected = int.from_bytes(hi.translate(onehot), "little")
            for code, table in enumerate(per_code):
                hits[code] |= int.from_bytes(lo.translate(table), "little") & selected
        return hits


def _words(raw: bytes) -> list[int]:
    words = array("I", raw)
    if sys.byteorder == "big":  # pragma: no cover - the bytes hold little-endian words
        words.byteswap()
    return words.tolist()


if array("I").itemsize != 4:  # pragma: no cover - "I" is 4 bytes on every CPython platform
    raise ImportError("evalspec.judge.mt19937 needs array('I') to hold 32-bit words")
