"""The lab device as an SCP/SFTP server of its own storage (for ``audit --offbox``).

asyncssh serves SFTP through an :class:`asyncssh.SFTPServer` and, with ``allow_scp``, SCP
through the same object; this one answers from the device's read-only :class:`Storage`, so
every path form a real device's server accepts resolves the way its CLI does:
``flash:/x.bin``, ``flash:x.bin``, ``/x.bin`` (the default filesystem), and absolute Unix
paths on Junos. Image files with real bytes (``bytes: true`` in the fleet's library) are
served from :mod:`imagesweep.lab.content`, range by range; small text files from their
content; a file that only has digests (the lab's usual large images) is refused with a
failure that says so. Nothing can be written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncssh
from asyncssh import (
    FILEXFER_TYPE_DIRECTORY,
    FILEXFER_TYPE_REGULAR,
    FXF_APPEND,
    FXF_CREAT,
    FXF_TRUNC,
    FXF_WRITE,
)

from imagesweep.lab import content
from imagesweep.lab.fleet import LabFile
from imagesweep.lab.storage import Entry, Storage


@dataclass(frozen=True)
class _Open:
    file: LabFile


def _decode(path: bytes | str) -> str:
    return path.decode("utf-8", "replace") if isinstance(path, bytes) else path


class LabFileServer(asyncssh.SFTPServer):
    def __init__(self, storage: Storage, chan: asyncssh.SSHServerChannel[Any]) -> None:
        super().__init__(chan)
        self._storage = storage

    def _entry(self, path: bytes) -> Entry:
        typed = _decode(path)
        resolved = self._storage.resolve(typed)
        entry = self._storage.lookup(resolved) if resolved else None
        if entry is None:
            raise asyncssh.SFTPNoSuchFile(f"{typed}: No such file or directory")
        return entry

    def _attrs(self, entry: Entry) -> asyncssh.SFTPAttrs:
        stamp = int(entry.modified.timestamp())
        kind = FILEXFER_TYPE_DIRECTORY if entry.is_dir else FILEXFER_TYPE_REGULAR
        mode = 0o040755 if entry.is_dir else 0o100644
        return asyncssh.SFTPAttrs(
            type=kind, size=entry.size, permissions=mode, atime=stamp, mtime=stamp
        )

    def realpath(self, path: bytes) -> bytes:
        return path

    def stat(self, path: bytes) -> asyncssh.SFTPAttrs:
        return self._attrs(self._entry(path))

    def lstat(self, path: bytes) -> asyncssh.SFTPAttrs:
        return self.stat(path)

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> _Open:
        if pflags & (FXF_WRITE | FXF_APPEND | FXF_CREAT | FXF_TRUNC):
            raise asyncssh.SFTPPermissionDenied("read-only lab storage")
        entry = self._entry(path)
        if entry.is_dir or entry.file is None:
            raise asyncssh.SFTPFailure(f"{_decode(path)}: is a directory")
        lab_file = entry.file
        if not lab_file.content_seed and not lab_file.content and lab_file.size:
            raise asyncssh.SFTPFailure(
                f"{_decode(path)}: this lab file has digests but no bytes "
                "(give its image bytes: true in the fleet)"
            )
        return _Open(lab_file)

    def fstat(self, file_obj: object) -> asyncssh.SFTPAttrs:
        assert isinstance(file_obj, _Open)
        return asyncssh.SFTPAttrs(
            type=FILEXFER_TYPE_REGULAR, size=file_obj.file.size, permissions=0o100644
        )

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        assert isinstance(file_obj, _Open)
        lab_file = file_obj.file
        if lab_file.content_seed:
            return content.read(
                lab_file.content_seed, lab_file.size, offset, size, lab_file.content_patch
            )
        return lab_file.content.encode()[offset : offset + size]

    def close(self, file_obj: object) -> None:
        return None


def factory(storage: Storage) -> Any:
    """The ``sftp_factory`` for one device."""

    def make(chan: asyncssh.SSHServerChannel[Any]) -> LabFileServer:
        return LabFileServer(storage, chan)

    return make


def refuses_scp(command: str | None) -> bool:
    """An ``scp`` request reaching a device whose file server is off."""
    return bool(command) and str(command).split(maxsplit=1)[0] == "scp"
