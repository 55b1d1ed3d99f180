"""Canonical file paths: ``<fs>:<relative path>``, so the same file compares equal however a
device printed it (``flash:/x.bin``, ``flash:x.bin``, ``flash://x.bin``)."""

from __future__ import annotations

import re

_URL = re.compile(r"^(?:tftp|ftp|rcp|https?|scp|sftp|nfs)://", re.IGNORECASE)
_FS = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*\d*):(.*)$")
NETWORK_SCHEMES = ("tftp", "ftp", "rcp", "http", "https", "scp", "sftp")


def canonical(path: str, default_fs: str = "") -> str:
    """``flash:/a//b.bin`` -> ``flash:a/b.bin``; a bare name gets ``default_fs``.

    URLs are returned unchanged apart from surrounding space; so are absolute Unix paths
    (Junos) when no ``default_fs`` is given.
    """
    path = path.strip().strip('"')
    if not path or _URL.match(path):
        return path
    match = _FS.match(path)
    if match:
        fs, rest = match.group(1), match.group(2)
    elif default_fs:
        fs, rest = default_fs.rstrip(":"), path
    else:
        return re.sub(r"/{2,}", "/", path)
    rest = re.sub(r"/{2,}", "/", rest).lstrip("/")
    return f"{fs.lower()}:{rest}"


def filesystem(path: str) -> str:
    """``flash:a/b.bin`` -> ``flash:``; "" for URLs and Unix paths."""
    if _URL.match(path):
        return ""
    match = _FS.match(path)
    return f"{match.group(1).lower()}:" if match else ""


def basename(path: str) -> str:
    return re.split(r"[:/]", path)[-1]


def is_network(path: str) -> bool:
    scheme = path.split(":", 1)[0].lower()
    return ":" in path and scheme in NETWORK_SCHEMES
