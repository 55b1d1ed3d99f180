"""The lab's PKI and Known Good Values, so its IOS-XE devices sign their boot measurements
the way a Trust Anchor does, with keys the audit can verify.

Generated with ``cryptography`` once per process (the lab and its inventory writer share
it): a root CA, a SUDI sub-CA, one SUDI key per device (per stack member), and a KGV signing
certificate under the root. The lab writes the roots (``integrity-roots.pem``: root + KGV
signer) and ``kgv.json`` with ``kgv.json.signature`` beside its inventory; an audit given
``--integrity-roots`` and ``--kgv`` with those judges the lab exactly as it would judge real
devices against Cisco's roots and KGV.

Measured values are deterministic per name (:func:`biv_hash`), so the KGV written from the
fleet's library matches what genuine devices measure.
"""

from __future__ import annotations

import hashlib
import json
import struct
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

SALT = "imagesweep-lab/biv/1"
BOOT0_VERSION = "F01144R16.216e68ad62019-02-13"
ROUTER_BOOT_LOADER = "16.12(2r)"
SWITCH_BOOT_LOADER = "17.9.1r"
ROOTS_FILE = "integrity-roots.pem"
KGV_FILE = "kgv.json"
_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
_NOT_AFTER = datetime(2099, 12, 31, tzinfo=UTC)


def biv_hash(kind: str, name: str) -> str:
    """What the lab's Trust Anchor measures for ``name``: SHA-256 for boot 0, SHA-512
    for everything else (upper-case hex, as devices print it)."""
    data = f"{SALT}:{kind}:{name}".encode()
    if kind == "boot0":
        return hashlib.sha256(data).hexdigest().upper()
    return hashlib.sha512(data).hexdigest().upper()


def _name(common: str, org: str = "Imagesweep Lab") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    serial: int,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(_NOT_BEFORE)
        .not_valid_after(_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Identity:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def pem(self) -> str:
        return self.cert.public_bytes(Encoding.PEM).decode("ascii")

    def sign(self, data: bytes) -> str:
        signature = self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return signature.hex().upper()


class LabPki:
    def __init__(self) -> None:
        root_key, sub_key, kgv_key = _key(), _key(), _key()
        root_name = _name("Imagesweep Lab Root CA")
        root = _cert(root_name, root_key, root_name, root_key, ca=True, serial=1)
        sub_name = _name("Imagesweep Lab SUDI CA")
        sub = _cert(sub_name, sub_key, root_name, root_key, ca=True, serial=2)
        kgv_name = _name("Imagesweep Lab KGV signing")
        kgv = _cert(kgv_name, kgv_key, root_name, root_key, ca=False, serial=3)
        self.root = Identity(root_key, root)
        self.sub = Identity(sub_key, sub)
        self.kgv = Identity(kgv_key, kgv)
        self._devices: dict[str, Identity] = {}
        self._lock = threading.Lock()

    def device(self, name: str) -> Identity:
        """The SUDI identity of one device (``host`` or ``host/member``)."""
        with self._lock:
            found = self._devices.get(name)
            if found is None:
                key = _key()
                serial = int(hashlib.sha256(name.encode()).hexdigest()[:12], 16) | 1
                subject = x509.Name(
                    [
                        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"PID:LAB SN:{name}"),
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Imagesweep Lab"),
                        x509.NameAttribute(NameOID.COMMON_NAME, name),
                    ]
                )
                cert = _cert(
                    subject, key, self.sub.cert.subject, self.sub.key, ca=False, serial=serial
                )
                found = self._devices[name] = Identity(key, cert)
            return found

    def roots_pem(self) -> str:
        return self.root.pem() + self.kgv.pem()


_PKI: LabPki | None = None
_PKI_LOCK = threading.Lock()


def pki() -> LabPki:
    """The process's lab PKI, made when first needed."""
    global _PKI
    with _PKI_LOCK:
        if _PKI is None:
            _PKI = LabPki()
        return _PKI


def header(nonce: int, version: int = 1) -> bytes:
    return struct.pack(">QI", nonce & 0xFFFFFFFFFFFFFFFF, version)


def extend(pcr: bytes, value: str) -> bytes:
    return hashlib.sha256(pcr + hashlib.sha256(bytes.fromhex(value)).digest()).digest()


def replay(values: list[str]) -> str:
    pcr = bytes(32)
    for value in values:
        pcr = extend(pcr, value)
    return pcr.hex().upper()


@dataclass(frozen=True)
class KgvImage:
    name: str
    md5: str
    sha512: str


def kgv_document(images: list[KgvImage], boot_loaders: tuple[str, ...]) -> bytes:
    """A KGV file in Cisco's ``bulkHash`` layout for the lab's images and boot stages."""
    records: list[dict[str, object]] = [
        {"filename": BOOT0_VERSION, "dtype": "boot0", "biv_hash": biv_hash("boot0", BOOT0_VERSION)}
    ]
    records += [
        {"filename": v, "dtype": "blr", "biv_hash": biv_hash("blr", v)} for v in boot_loaders
    ]
    for image in sorted(images, key=lambda i: i.name):
        records.append(
            {
                "filename": image.name,
                "dtype": "osimage",
                "platform": "lab",
                "md5": image.md5.upper(),
                "sha512": image.sha512.upper(),
                "biv_hash": biv_hash("os", image.name),
            }
        )
    doc = {
        "header": {
            "copyright": "imagesweep lab: generated, not Cisco's",
            "timestamp": "2024.01.02.08.00.00",
            "version": "Lab_1.0",
        },
        "bulkHash": records,
    }
    return json.dumps(doc, indent=1).encode("utf-8")


def sign_file(data: bytes) -> bytes:
    """The KGV signature as Cisco ships it beside the file (raw PKCS#1 v1.5, SHA-256)."""
    return pki().kgv.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
