"""Files the tool reads and writes, under one policy.

Reading: YAML with duplicate keys refused and errors naming file and line.
Writing: everything a run writes may hold device output, which is sensitive (configuration
fragments, host names, addresses): files are created ``0600`` and directories ``0700``, and
reports are replaced atomically (temp file + rename) so a crash never leaves half a file.
An unwritable place is a :class:`ConfigError` naming it, never a traceback.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from imagesweep.errors import ConfigError

FILE_MODE = 0o600
DIR_MODE = 0o700


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_yaml(path: Path) -> Any:
    """YAML from ``path`` with duplicate keys refused; errors name file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def make_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) with the private mode; ConfigError when
    impossible."""
    # Only directories made here get the private mode: an existing one is the user's (the
    # current directory, /tmp) and is left as it is.
    if path.is_dir():  # the common case (every raw file of a run): one stat, not one a parent
        return path
    missing = [p for p in (path, *path.parents) if not p.exists()]
    try:
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        for made in missing:
            if made.stat().st_mode & 0o077:  # the umask may have widened nothing, but check
                made.chmod(DIR_MODE)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create directory: {exc.strerror or exc}") from exc
    return path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` at once, mode 0600."""
    make_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        os.fchmod(fd, FILE_MODE)
        if isinstance(data, bytes):
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_plain(path: Path, data: str | Iterable[str]) -> None:
    """Write ``data`` (text, or text in pieces) to ``path`` (created 0600, replaced in place)
    in its existing directory: for the file of each device of a run (raw outputs), where a
    crash can at worst leave one short file that the journal can rebuild. A temporary file
    and a rename each would double the file-system work of a sweep; a symbolic link in its
    place is refused, not followed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.writelines((data,) if isinstance(data, str) else data)
    except OSError as exc:  # a full disk too, not only a refused open
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def open_append(path: Path) -> int:
    """A file descriptor appending to ``path`` (created 0600): journals and logs."""
    make_dir(path.parent)
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def decode_text(path: Path, data: bytes, what: str) -> str:
    """``data`` of a CSV the user gave (``what``: "catalogue", "inventory") as UTF-8, a BOM
    allowed; anything else is a ConfigError naming the line and byte offset.

    Excel saves CSV as cp1252 or UTF-16 unless told otherwise; guessing an encoding would
    silently turn a value into mojibake, so the user is told to re-save instead.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{path}:1: the {what} is UTF-16; save it as UTF-8 (CSV UTF-8)")
    if b"\0" in data:
        offset = data.index(b"\0")
        line = data.count(b"\n", 0, offset) + 1
        raise ConfigError(f"{path}:{line}: byte {offset} is NUL; the {what} is not a text CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}:{line}: byte {exc.start} (0x{data[exc.start]:02x}) is not UTF-8; "
            f"save the {what} as UTF-8 (CSV UTF-8)"
        ) from exc
