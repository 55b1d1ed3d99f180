"""Fault injection for lab devices: the data (``faults:`` in a fleet file) and every hook.

A fault is one key of a device's ``faults:`` mapping. To add one: a field on :class:`Faults`,
a parser in ``_PARSERS``, and the behaviour in the hook where it acts. The hooks, and where
the lab calls them:

- ``listens``       Lab start: False gives the device a port where nothing listens.
- ``accepts_login`` SSH authentication (password and keyboard-interactive).
- ``digest_error_for`` ``verify /md5|/sha512``: the error line to print instead of a digest.

Known faults:

- ``unreachable: true``   nothing listens on the device's port (connection refused).
- ``auth_fail: true``     every login is rejected, whatever the credentials.
- ``digest_error: PATH``  ``verify`` of PATH fails with an I/O error after a few dots; a list
  of paths, or ``"*"`` for every file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from imagesweep.parse.paths import canonical


class FaultValueError(ValueError):
    """A fault's value is malformed; the fleet loader adds file and line."""


@dataclass(frozen=True)
class Faults:
    unreachable: bool = False
    auth_fail: bool = False
    digest_error: tuple[str, ...] = ()  # canonical paths; ("*",) for all

    # --- hooks -----------------------------------------------------------------------------

    def listens(self) -> bool:
        return not self.unreachable

    def accepts_login(self) -> bool:
        return not self.auth_fail

    def digest_error_for(self, path: str, shown: str) -> str:
        """The error ``verify`` prints for canonical ``path`` (shown as typed), or ""."""
        if "*" in self.digest_error or path in self.digest_error:
            return f"%Error reading {shown} (I/O error)"
        return ""

    @property
    def names(self) -> tuple[str, ...]:
        """The faults that are set, for inventory data and logs."""
        return tuple(name for name in _PARSERS if getattr(self, name) not in (False, ()))


def _bool(value: Any, default_fs: str) -> bool:
    if not isinstance(value, bool):
        raise FaultValueError(f"expected true or false, got {value!r}")
    return value


def _paths(value: Any, default_fs: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    paths = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise FaultValueError(f"expected a file path, a list of paths or '*', got {item!r}")
        paths.append("*" if item.strip() == "*" else canonical(item, default_fs))
    return tuple(paths)


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "unreachable": _bool,
    "auth_fail": _bool,
    "digest_error": _paths,
}

KNOWN_FAULTS: tuple[str, ...] = tuple(_PARSERS)


def parse_faults(raw: Mapping[str, Any], *, default_fs: str) -> Faults:
    """Build :class:`Faults` from a fleet mapping; :class:`FaultValueError` names the bad key."""
    faults = Faults()
    for key, value in raw.items():
        parser = _PARSERS.get(key)
        if parser is None:
            known = ", ".join(KNOWN_FAULTS)
            raise FaultValueError(f"unknown fault {key!r} (known: {known})")
        try:
            faults = replace(faults, **{key: parser(value, default_fs)})
        except FaultValueError as exc:
            raise FaultValueError(f"fault {key}: {exc}") from None
    return faults
