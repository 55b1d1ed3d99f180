"""Real bytes for lab image files, generated deterministically and never stored whole.

An image with ``bytes: true`` in a fleet's library has content: ``size`` bytes made from a
1 MiB pseudo-random block per seed, repeated. A patched copy (``patched: true`` or the liar's
``lies: true``) keeps the name and size and overwrites 64 bytes in the middle, the way a
backdoored image keeps the original's size. Reads of any range cost only that range, so the
lab can serve large images to many clients; digests are computed once per (seed, size, patch).
"""

from __future__ import annotations

import functools
import hashlib
import random

BLOCK = 1 << 20
PATCH_LEN = 64
MAX_SIZE = 1 << 30  # a lab image with bytes is at most 1 GiB
SALT = "imagesweep-lab-bytes/1"


@functools.lru_cache(maxsize=16)
def _block(seed: str) -> bytes:
    return random.Random(f"{SALT}:{seed}").randbytes(BLOCK)


@functools.lru_cache(maxsize=64)
def _patch(patch: str) -> bytes:
    return hashlib.shake_256(f"{SALT}:patch:{patch}".encode()).digest(PATCH_LEN)


def read(seed: str, size: int, offset: int, length: int, patch: str = "") -> bytes:
    """Bytes ``[offset, offset + length)`` of the file (fewer at its end)."""
    end = min(size, offset + max(length, 0))
    if offset >= end:
        return b""
    block = _block(seed)
    parts = []
    pos = offset
    while pos < end:
        start = pos % BLOCK
        take = min(BLOCK - start, end - pos)
        parts.append(block[start : start + take])
        pos += take
    data = b"".join(parts)
    if patch:
        at = max(size // 2 - PATCH_LEN // 2, 0)
        lo, hi = max(at, offset), min(at + PATCH_LEN, end)
        if lo < hi:
            blob = _patch(patch)
            data = data[: lo - offset] + blob[lo - at : hi - at] + data[hi - offset :]
    return data


@functools.lru_cache(maxsize=256)
def digests(seed: str, size: int, patch: str = "") -> tuple[str, str]:
    """(md5, sha512) of the whole file, streamed block by block."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha512 = hashlib.sha512()
    for offset in range(0, size, BLOCK):
        data = read(seed, size, offset, BLOCK, patch)
        md5.update(data)
        sha512.update(data)
    return md5.hexdigest(), sha512.hexdigest()
