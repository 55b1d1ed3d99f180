"""The release an OS image's file name encodes, and comparison with a ``show version`` string.

Vendors encode the release in the file name in their own way:

- Cisco IOS: ``<platform>-<features>-<format>.<MMm>-<rebuild>.<train>.bin``
  (``c2800nm-advipservicesk9-mz.124-24.T4.bin`` is 12.4(24)T4);
- Cisco IOS-XE: zero-padded dotted release (``cat9k_iosxe.17.09.04a.SPA.bin`` is 17.9.4a); the
  3.x trains also carry the IOS release they embed
  (``asr1001-universalk9.03.09.01.S.153-2.S1.bin`` is 3.9.1S and 15.3(2)S1);
- Cisco NX-OS: ``nxos.9.3.8.bin`` is 9.3(8), ``n9000-dk9.7.0.3.I7.9.bin`` is 7.0(3)I7(9);
- Junos: ``junos-install-mx-x86-64-21.4R3-S5.tgz`` is 21.4R3-S5.

A name that encodes no release we can read (``c7200-js-mz``, ``packages.conf``, engineering
``BLD_...SSA`` builds) gives None: the caller then has nothing to compare, which is not a match.
"""

from __future__ import annotations

import re

# Bounded quantifiers throughout: file names come from device output.
_XE = re.compile(
    r"(?:^|[._])(?P<a>\d{2})\.(?P<b>\d{2})\.(?P<c>\d{2,3})(?P<rebuild>[a-z]?)(?P<train>[A-Z]{0,2})"
    r"(?:\.(?P<train2>[A-Z]{1,2}))?(?=[._-]|$)"
)
_IOS = re.compile(
    r"(?:^|[._-])(?P<major>\d{2})(?P<minor>\d)-(?P<rebuild>\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?)"
    r"(?:\.(?P<train>[A-Z]{1,5}\d{0,3}[a-z]?))?(?=[._-]|$)"
)
_NXOS = re.compile(
    r"\.(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<c>\d{1,2}[a-z]?)"
    r"(?:\.(?P<train>[A-Z]\d{1,2})\.(?P<d>\d{1,2}[a-z]?))?(?:\.[A-Z])?\.bin$"
)
_JUNOS = re.compile(
    r"(?<![\d.])(?P<v>\d{1,2}\.\d{1,2}[A-Z]\d{1,3}(?:[.-][A-Z]{0,2}\d{1,4}){0,3})(?=[.-]|$)"
)
_NXOS_NAME = re.compile(r"^(?:nxos|n\d{4}|n\dk)", re.IGNORECASE)
_JUNOS_NAME = re.compile(r"^(?:junos|jinstall|jweb|jbundle)", re.IGNORECASE)
_TOKEN = re.compile(r"\d+|[a-z]+")


def _base(filename: str) -> str:
    return re.split(r"[:/]", filename.strip())[-1]


def _xe(name: str) -> str | None:
    match = _XE.search(name)
    if not match:
        return None
    rebuild = match["rebuild"]
    train = match["train"] or match["train2"] or ""
    return f"{int(match['a'])}.{int(match['b'])}.{int(match['c'])}{rebuild}{train}"


def _ios(name: str) -> str | None:
    match = _IOS.search(name)
    if not match:
        return None
    major = int(match["major"])
    if major < 10:  # IOS releases are 10.x to 15.x; anything else is not this encoding
        return None
    return f"{major}.{match['minor']}({match['rebuild']}){match['train'] or ''}"


def _nxos(name: str) -> str | None:
    match = _NXOS.search(name)
    if not match:
        return None
    version = f"{match['a']}.{match['b']}({match['c']})"
    if match["train"]:
        version += f"{match['train']}({match['d']})"
    return version


def _junos(name: str) -> str | None:
    match = _JUNOS.search(name)
    return match["v"] if match else None


def image_versions(filename: str) -> tuple[str, ...]:
    """Every release the name encodes, most specific first (IOS-XE 3.x names carry two)."""
    name = _base(filename)
    if _JUNOS_NAME.match(name):
        found = [_junos(name)]
    elif _NXOS_NAME.match(name):
        found = [_nxos(name)]
    else:
        found = [_xe(name), _ios(name)]
    return tuple(v for v in found if v)


def image_version(filename: str) -> str | None:
    """The release encoded in an image file name, or None when it encodes none we can read.

    For IOS-XE 3.x names that carry both the IOS-XE and the IOS release, the IOS-XE release
    is returned (that is what the imagesweep IOS-XE parser reports as the version).
    """
    found = image_versions(filename)
    return found[0] if found else None


def _tokens(version: str) -> list[int | str]:
    return [int(t) if t.isdigit() else t for t in _TOKEN.findall(version.lower())]


def same_version(a: str, b: str) -> bool:
    """True when two release strings name the same release.

    Compares the sequence of numbers and letters, ignoring leading zeros, separators,
    parentheses and case: ``17.09.04a`` = ``17.9.4a``, ``03.09.01.S`` = ``3.9.1S``,
    ``15.2(4)M7`` = ``15.2(4)m7``. Empty strings never match.
    """
    ta, tb = _tokens(a), _tokens(b)
    return bool(ta) and ta == tb
