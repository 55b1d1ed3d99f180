"""Verification of signed device evidence, with the ``cryptography`` library (no crypto of
our own): Boot Integrity Visibility signatures (RSA PKCS#1 v1.5 / SHA-256 over
``struct.pack(">QI", nonce, version)`` and the signed data), the SUDI chain up to a trusted
root, PCR replay, and the signature on a Known Good Values file.

Pure functions of their arguments: roots arrive as DER bytes, records as text. Every check
returns what it found in words; none raises on hostile input.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from imagesweep.records import Compliance, Measurement, SudiChain

MAX_CHAIN = 6
# What decoding a damaged certificate can raise (the library parses some parts lazily; a
# name attribute of the wrong ASN.1 type is a TypeError when the name is first read).
DECODE_ERRORS = (ValueError, TypeError, x509.InvalidVersion, UnsupportedAlgorithm)


def load_pems(data: bytes) -> tuple[x509.Certificate, ...]:
    """Every certificate in a PEM bundle; ValueError when there is none or one is damaged."""
    try:
        certs = tuple(x509.load_pem_x509_certificates(data))
    except DECODE_ERRORS as exc:
        raise ValueError(str(exc)) from exc
    if not certs:
        raise ValueError("no certificate")
    return certs


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def describe(cert: x509.Certificate) -> str:
    try:
        return f"{cert.subject.rfc4514_string()} (serial {cert.serial_number:X})"
    except DECODE_ERRORS:  # the library decodes names lazily: a damaged one fails here
        return f"(undecodable subject) (serial {cert.serial_number:X})"


def rsa_key(cert: x509.Certificate) -> rsa.RSAPublicKey | None:
    """The certificate's RSA key; None when it is not RSA or does not decode (damaged)."""
    try:
        key = cert.public_key()
    except DECODE_ERRORS:
        return None
    return key if isinstance(key, rsa.RSAPublicKey) else None


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """``issuer``'s key signed ``cert`` (any hash the certificate names: Cisco Root CA 2048
    signs with SHA-1, which the library's path builder refuses)."""
    try:
        if cert.issuer != issuer.subject:
            return False
        algorithm = cert.signature_hash_algorithm
    except DECODE_ERRORS:
        return False
    key = rsa_key(issuer)
    if key is None or algorithm is None:
        return False
    try:
        key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), algorithm)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return False
    return True


def chain_to_root(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    roots: Iterable[bytes],
) -> tuple[bool, str]:
    """Whether ``leaf`` chains, through ``intermediates`` or trusted certificates, to one of
    ``roots`` (DER); (ok, the path or why not). Only signatures and names are checked: SUDI
    certificates are bound to the hardware and some expire before the device does."""
    trusted = []
    for raw in roots:
        try:
            trusted.append(x509.load_der_x509_certificate(raw))
        except DECODE_ERRORS:
            continue
    trusted_der = {der(c) for c in trusted}
    pool = [*intermediates, *trusted]
    path = [leaf]
    current = leaf
    for _ in range(MAX_CHAIN):
        if der(current) in trusted_der:
            if current is leaf:
                return False, "the device certificate is itself a root, not a device identity"
            return True, " <- ".join(describe(c) for c in path)
        issuer = next((c for c in pool if der(c) != der(current) and issued_by(current, c)), None)
        if issuer is None:
            self_signed = issued_by(current, current)
            where = (
                "a self-signed certificate that is not a trusted root"
                if self_signed
                else (f"no trusted issuer for {describe(current)}")
            )
            return False, f"the chain ends at {where}"
        path.append(issuer)
        current = issuer
    return False, "the chain is longer than any SUDI chain"


def rsa_ok(cert: x509.Certificate, signature_hex: str, data: bytes) -> bool:
    """RSA PKCS#1 v1.5 with SHA-256 over ``data`` by ``cert``'s key."""
    key = rsa_key(cert)
    if key is None:
        return False
    try:
        key.verify(bytes.fromhex(signature_hex), data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def header(nonce: int, version: int) -> bytes:
    return struct.pack(">QI", nonce & 0xFFFFFFFFFFFFFFFF, version & 0xFFFFFFFF)


def extend(pcr: bytes, measurement_hex: str) -> bytes:
    return hashlib.sha256(pcr + hashlib.sha256(bytes.fromhex(measurement_hex)).digest()).digest()


def replay(hashes_hex: Iterable[str]) -> str:
    """The PCR value the listed measurements extend to from 32 zero bytes (upper-case hex)."""
    pcr = bytes(32)
    for value in hashes_hex:
        pcr = extend(pcr, value)
    return pcr.hex().upper()


def is_smu(name: str) -> bool:
    """SMU lines of the OS hash list are printed but not extended into PCR8."""
    return ".smu." in name.lower() or name.lower().endswith(".smu.bin")


def replay_pcrs(m: Measurement) -> tuple[str, str]:
    """(PCR0, PCR8) replayed from the printed hashes: PCR0 over boot 0 then boot loader,
    PCR8 over the OS hashes in listed order, SMU lines skipped."""
    return (
        replay(h for _, h in m.boot),
        replay(h for name, h in m.os_hashes if not is_smu(name)),
    )


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool  # the chain leads to a trusted root and its signature is over the sent nonce
    device: x509.Certificate | None
    reasons: tuple[str, ...]  # why not, or the path when ok
    serial: str = ""
    path_ok: bool = False  # the device certificate chains to a trusted root


def verify_chain(chain: SudiChain, roots: Iterable[bytes]) -> ChainVerdict:
    """The SUDI chain leads to a trusted root and its signature is over the sent nonce."""
    try:
        certs = [x509.load_pem_x509_certificate(p.encode("ascii")) for p in chain.certificates]
    except DECODE_ERRORS as exc:
        return ChainVerdict(False, None, (f"a SUDI certificate does not decode: {exc}",))
    if not certs:
        return ChainVerdict(False, None, ("no SUDI certificate",))
    device = certs[-1]
    ok, path = chain_to_root(device, certs[:-1], roots)
    path_ok = ok
    reasons = [path if ok else f"SUDI chain: {path}"]
    if chain.nonce is None:
        ok = False
        reasons.append("SUDI chain: no nonce was sent, so the answer could be a replay")
    elif chain.sig_version is None or not chain.signature:
        ok = False
        reasons.append("SUDI chain: the output is not signed")
    else:
        data = header(chain.nonce, chain.sig_version) + b"".join(der(c) for c in certs)
        if not rsa_ok(device, chain.signature, data):
            ok = False
            reasons.append(
                f"SUDI chain: the signature does not verify over nonce {chain.nonce} (the "
                "nonce this sweep sent) with the device certificate"
            )
    return ChainVerdict(ok, device, tuple(reasons), f"{device.serial_number:X}", path_ok)


def measurement_signed(m: Measurement, device: x509.Certificate) -> tuple[bool, str]:
    """The measurement's signature over (nonce, version, PCR0, PCR8) by the SUDI key."""
    if m.nonce is None:
        return False, "no nonce was sent, so the answer could be a replay"
    if m.sig_version is None or not m.signature:
        return False, "the measurement is not signed"
    if m.sig_version != 1:
        return False, f"signature version {m.sig_version} is not supported (TPM quote)"
    data = header(m.nonce, m.sig_version) + bytes.fromhex(m.pcr0) + bytes.fromhex(m.pcr8)
    if rsa_ok(device, m.signature, data):
        return True, f"signed over nonce {m.nonce} by {describe(device)}"
    why = f"the signature over PCR0/PCR8 does not verify over nonce {m.nonce} (sent by this sweep)"
    if m.echoed_nonce is not None and m.echoed_nonce != m.nonce:
        why += f"; the output names nonce {m.echoed_nonce} (a replayed answer)"
    return False, why


def compliance_signed(c: Compliance, device: x509.Certificate) -> bool:
    if c.nonce is None or c.sig_version is None or not c.signature:
        return False
    data = header(c.nonce, c.sig_version) + b"".join(
        (k + v).encode("utf-8") for k, v in c.attributes
    )
    return rsa_ok(device, c.signature, data)


def file_signed(data: bytes, signature: bytes, signers: Iterable[x509.Certificate]) -> str:
    """The signer (described) whose key made ``signature`` over ``data`` (SHA-512 for a
    4096-bit signature, SHA-256 for 2048 bits, as Cisco signs KGV files); "" if none."""
    algorithm: hashes.HashAlgorithm = hashes.SHA512() if len(signature) == 512 else hashes.SHA256()
    for cert in signers:
        key = rsa_key(cert)
        if key is None:
            continue
        try:
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        except (InvalidSignature, ValueError):
            continue
        return describe(cert)
    return ""
