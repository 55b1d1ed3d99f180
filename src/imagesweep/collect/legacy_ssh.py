"""Opt-in SSH for legacy devices (``legacy_ssh: true`` on a host or group).

The routers SYNful Knock targeted (ISR G1 on IOS 12.4/15.x) offer only
``diffie-hellman-group1-sha1`` / ``diffie-hellman-group14-sha1`` key exchange and ``ssh-rsa``
(SHA-1) host key signatures. paramiko 5 removed both. This module puts them back for the hosts
that ask, and only for them: a Transport subclass carries the extra algorithms (the class
attributes of ``paramiko.Transport`` itself are left alone); :mod:`imagesweep.collect.ssh_client`
uses it for hosts that opt in. The algorithms actually negotiated are reported per device.

The key exchange is paramiko's own Diffie-Hellman code with SHA-1 as the exchange hash and,
for group 1, the 1024-bit MODP prime of RFC 2409 section 6.2: no new cryptography here.
"""

from __future__ import annotations

from hashlib import sha1
from typing import Any

import paramiko
from cryptography.hazmat.primitives import hashes
from paramiko.kex_group14 import KexGroup14SHA256

from imagesweep.collect.transport import AuditTransport

PLUGIN = "netmiko_legacy"
WEAK_KEX = ("diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1")
WEAK_HOST_KEYS = ("ssh-rsa",)

# RFC 2409 6.2, the Second Oakley Group (1024-bit MODP), as SSH's diffie-hellman-group1 uses it.
_GROUP1_PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E34"
    "04DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6"
    "F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


class _Named:
    """Leaves the negotiated algorithm's name on the transport: paramiko drops its kex engine
    once the exchange is done, and the report must name what was used."""

    name: str

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)  # type: ignore[call-arg]
        transport.imagesweep_kex = self.name


class KexGroup14SHA1(_Named, KexGroup14SHA256):  # type: ignore[misc]
    name = "diffie-hellman-group14-sha1"
    hash_algo = sha1


class KexGroup1SHA1(KexGroup14SHA1):
    name = "diffie-hellman-group1-sha1"
    P = _GROUP1_PRIME


class LegacyRSAKey(paramiko.RSAKey):  # type: ignore[misc]
    """An RSA host key that also verifies ``ssh-rsa`` (SHA-1) signatures."""

    HASHES = {**paramiko.RSAKey.HASHES, "ssh-rsa": hashes.SHA1}  # noqa: RUF012


class LegacyTransport(AuditTransport):
    _preferred_kex = (*paramiko.Transport._preferred_kex, *WEAK_KEX)
    _kex_info = {  # noqa: RUF012 - class-level tables, as in paramiko.Transport
        **paramiko.Transport._kex_info,
        KexGroup14SHA1.name: KexGroup14SHA1,
        KexGroup1SHA1.name: KexGroup1SHA1,
    }
    _preferred_keys = (*paramiko.Transport._preferred_keys, *WEAK_HOST_KEYS)
    _key_info = {**paramiko.Transport._key_info, "ssh-rsa": LegacyRSAKey}  # noqa: RUF012
