"""IOS-XE signed evidence in the real formats: Boot Integrity Visibility
(``show platform integrity sign nonce N`` and ``show platform sudi certificate sign nonce N``
on the ISR; ``show system integrity all measurement|trust_chain|compliance nonce N`` on the
Catalyst, one LOCATION per stack member), ``show software authenticity running|file`` and
``show rom-monitor`` / ``show romvar``.

The device's ``integrity`` key (:data:`SCENARIOS`) says how it answers; without one, the
release has no Boot Integrity Visibility and the commands are invalid input. Signatures are
made with the lab PKI (:mod:`imagesweep.lab.pki`) over the nonce the auditor typed.
"""

from __future__ import annotations

import threading

from cryptography.hazmat.primitives.serialization import Encoding

from imagesweep.lab.commands import (
    Ctx,
    Handler,
    IncompleteCommand,
    InvalidInput,
    Node,
    Reply,
    Token,
)
from imagesweep.lab.fleet import Device
from imagesweep.lab.personas.iosxe import versions
from imagesweep.lab.pki import (
    BOOT0_VERSION,
    ROUTER_BOOT_LOADER,
    SWITCH_BOOT_LOADER,
    biv_hash,
    header,
    pki,
    replay,
)
from imagesweep.paths import basename

SCENARIOS = (
    "genuine", "not_in_kgv", "lies", "bad_signature", "replay", "secure_boot_off", "busy_once",
)  # fmt: skip
OLD_NONCE = 4242  # what a replayed answer was signed over
RUNNING_SERIAL = "5A94807E"
BUSY = "% Please Try After Few Seconds\n"
# busy_once: the nonces each device has already been asked about (the Trust Anchor is busy
# the first time a nonce is asked for, as a device still setting it up answers)
_ASKED: set[tuple[str, str, int]] = set()
_ASKED_LOCK = threading.Lock()


def _busy(d: Device, command: str, nonce: int) -> bool:
    if d.integrity != "busy_once":
        return False
    with _ASKED_LOCK:
        key = (d.name, command, nonce)
        if key in _ASKED:
            return False
        _ASKED.add(key)
        return True


def _nonce(args: tuple[Token, ...]) -> int:
    if not args:
        raise IncompleteCommand
    word = args[0]
    if len(args) > 1 or not word.text.isdigit() or int(word.text) >= 1 << 64:
        raise InvalidInput(word.start)
    return int(word.text)


def _boot_loader(d: Device) -> str:
    return SWITCH_BOOT_LOADER if d.persona == "iosxe_switch" else ROUTER_BOOT_LOADER


def _os_names(d: Device) -> list[str]:
    return list(d.packages) if d.install_mode else [basename(d.running_image)]


def _measured(d: Device) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    """(boot stages, OS hashes printed, OS hashes the PCRs were extended with)."""
    boot = [
        (BOOT0_VERSION, biv_hash("boot0", BOOT0_VERSION)),
        (_boot_loader(d), biv_hash("blr", _boot_loader(d))),
    ]
    names = _os_names(d)
    genuine = [biv_hash("os", n) for n in names]
    tampered = [*genuine[:-1], biv_hash("patched", names[-1])]
    if d.integrity == "not_in_kgv":
        return boot, list(zip(names, tampered, strict=True)), tampered
    if d.integrity == "lies":  # prints the genuine hashes; the registers hold the truth
        return boot, list(zip(names, genuine, strict=True)), tampered
    return boot, list(zip(names, genuine, strict=True)), genuine


def _sign(d: Device, who: str, nonce: int, data: bytes) -> str:
    signed_nonce = OLD_NONCE if d.integrity == "replay" else nonce
    signature = pki().device(who).sign(header(signed_nonce) + data)
    if d.integrity == "bad_signature":
        flipped = "0" if signature[40] != "0" else "1"
        signature = signature[:40] + flipped + signature[41:]
    return signature


def _registers(d: Device) -> tuple[str, str]:
    boot, _, extended = _measured(d)
    return replay([h for _, h in boot]), replay(extended)


# --- ISR: show platform integrity / sudi (version 1 layout) ---------------------------------


def _platform_integrity(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    nonce = _nonce(args)
    if _busy(d, "integrity", nonce):
        return Reply.of(BUSY)
    boot, printed, _ = _measured(d)
    pcr0, pcr8 = _registers(d)
    if len(printed) == 1:
        os_lines = f"OS Hash: {printed[0][1]}\n"
    else:
        os_lines = "OS Hashes:\n" + "".join(f"{n}: {h}\n" for n, h in printed)
    signature = _sign(d, d.name, nonce, bytes.fromhex(pcr0) + bytes.fromhex(pcr8))
    text = (
        f"Platform: {d.model}\n"
        f"Boot 0 Version: {boot[0][0]}\n"
        f"Boot 0 Hash: {boot[0][1]}\n"
        f"Boot Loader Version: {boot[1][0]}\n"
        f"Boot Loader Hash: {boot[1][1]}\n"
        f"OS Version: {versions(d.version)[1]}\n"
        f"{os_lines}"
        f"PCR0: {pcr0}\n"
        f"PCR8: {pcr8}\n"
        "Signature version: 1\n"
        "Signature:\n"
        f"{signature}\n"
    )
    return Reply.of(text)


def _chain(who: str) -> tuple[list[str], bytes]:
    lab = pki()
    certs = [lab.root, lab.sub, lab.device(who)]
    return [c.pem() for c in certs], b"".join(c.cert.public_bytes(Encoding.DER) for c in certs)


def _platform_sudi(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    nonce = _nonce(args)
    if _busy(d, "sudi", nonce):
        return Reply.of(BUSY)
    pems, ders = _chain(d.name)
    signature = _sign(d, d.name, nonce, ders)
    return Reply.of("".join(pems) + f"Signature version: 1\nSignature:\n{signature}\n")


# --- Catalyst: show system integrity all ... (one LOCATION per member) ----------------------


def _locations(d: Device) -> list[tuple[str, str]]:
    """(LOCATION text, SUDI identity name) of each stack member."""
    if d.members == 1:
        return [("FRU=fru-rp SLOT=0 BAY=0 CHASSIS=-1 NODE=0", d.name)]
    return [
        (f"FRU=fru-rp SLOT=0 BAY=0 CHASSIS={n} NODE=0", f"{d.name}/{n}")
        for n in range(1, d.members + 1)
    ]


def _block(location: str, body: str) -> str:
    rule = "-" * 33
    return f"\n{rule}\nLOCATION {location}\n{rule}\n{body}"


def _system_measurement(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    nonce = _nonce(args)
    if _busy(d, "measurement", nonce):
        return Reply.of(BUSY)
    boot, printed, _ = _measured(d)
    pcr0, pcr8 = _registers(d)
    out = []
    for location, who in _locations(d):
        signature = _sign(d, who, nonce, bytes.fromhex(pcr0) + bytes.fromhex(pcr8))
        body = (
            f"  Platform: {d.model}\n\n  Boot Hashes:\n"
            + "".join(f"  {v}: {h}\n" for v, h in boot)
            + f"\n  OS:\n  Version: {versions(d.version)[1]}\n  Hashes:\n"
            + "".join(f"  {n}: {h}\n" for n, h in printed)
            + f"\n  Registers:\n  PCR0: {pcr0}\n  PCR8: {pcr8}\n"
            + f"\n  Signature:\n  Version: 1\n  Value:\n  {signature}\n"
        )
        out.append(_block(location, body))
    return Reply.of("".join(out) + "\n")


def _system_trust_chain(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    nonce = _nonce(args)
    if _busy(d, "trust_chain", nonce):
        return Reply.of(BUSY)
    out = []
    for location, who in _locations(d):
        pems, ders = _chain(who)
        signature = _sign(d, who, nonce, ders)
        names = ("CRCA CERTIFICATE", "CMCA CERTIFICATE", "DEVICE CERTIFICATE")
        body = "".join(f"Certificate Name: {n}\n{p}" for n, p in zip(names, pems, strict=True))
        body += f"\n  Signature:\n  Version: 1\n  Value:\n  {signature}\n"
        out.append(_block(location, body))
    return Reply.of("".join(out) + "\n")


def _system_compliance(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    nonce = _nonce(args)
    if _busy(d, "compliance", nonce):
        return Reply.of(BUSY)
    attributes = [
        ("secure_boot", "false" if d.integrity == "secure_boot_off" else "true"),
        ("tam_service", "hardware"),
        ("ldwm_envelope", "false"),
        ("num_btlstage", "2"),
        ("bivlen", "64"),
        ("register.pcr0.disabled", "false"),
        ("register.pcr8.disabled", "false"),
    ]
    data = b"".join((k + v).encode() for k, v in attributes)
    out = []
    for location, who in _locations(d):
        signature = _sign(d, who, nonce, data)
        body = (
            "  Compliance:\n"
            + "".join(f"  {k}: {v}\n" for k, v in attributes)
            + f"\n  Signature:\n  Version: 1\n  Value:\n  {signature}\n"
        )
        out.append(_block(location, body))
    return Reply.of("".join(out) + "\n")


# --- show software authenticity, show rom-monitor, show romvar ------------------------------


def _rommon_line(d: Device) -> str:
    return d.rommon or f"System Bootstrap, Version {_boot_loader(d)}, RELEASE SOFTWARE"


def _signature_block(d: Device, serial: str) -> str:
    return (
        f"Image type                    : {d.image_type}\n"
        "    Signer Information\n"
        "        Common Name           : CiscoSystems\n"
        "        Organization Unit     : IOS-XE\n"
        "        Organization Name     : CiscoSystems\n"
        f"    Certificate Serial Number : {serial}\n"
        "    Hash Algorithm            : SHA512\n"
        "    Signature Algorithm       : 2048-bit RSA\n"
        "    Key Version               : A\n"
    )


def _authenticity_running(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    text = (
        "SYSTEM IMAGE\n------------\n"
        + _signature_block(d, RUNNING_SERIAL)
        + "\n    Verifier Information\n"
        "        Verifier Name         : ROMMON\n"
        f"        Verifier Version      : {_rommon_line(d)}\n"
    )
    return Reply.of(text)


def _authenticity_file(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    if not args:
        raise IncompleteCommand
    if len(args) > 1:
        raise InvalidInput(args[1].start)
    path = args[0].text
    resolved = ctx.storage.resolve(path)
    entry = ctx.storage.lookup(resolved) if resolved else None
    if entry is None or entry.is_dir:
        return Reply.of(f"%Error opening {path} (No such file or directory)\n")
    serial = d.file_serial or RUNNING_SERIAL
    return Reply.of(f"File Name                     : {path}\n" + _signature_block(d, serial))


def _rom_monitor(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    return Reply.of(f"\n{_rommon_line(d)}\nCopyright (c) 1994-2019  by cisco Systems, Inc.\n\n")


def _romvar(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    boot = "".join(f"{e},1;" for e in d.boot)
    return Reply.of(
        "ROMMON variables:\n"
        " PS1 = rommon ! >\n"
        f" BOOT = {boot}\n"
        f" MANUAL_BOOT = {'yes' if d.manual_boot else 'no'}\n"
        " ? = 0\n"
        " BSI = 0\n"
        " RANDOM_NUM = 2137168332\n"
    )


def _nonce_node(handler: Handler) -> Node:
    return Node(children={"nonce": Node(handler=handler, args=True)})


def show_nodes(device: Device) -> dict[str, Node]:
    """The ``show`` keywords an IOS-XE persona adds for signed evidence."""
    nodes: dict[str, Node] = {
        "software": Node(
            children={
                "authenticity": Node(
                    children={
                        "running": Node(handler=_authenticity_running),
                        "file": Node(handler=_authenticity_file, args=True),
                    }
                )
            }
        ),
        "rom-monitor": Node(handler=_rom_monitor, args=True),
        "romvar": Node(handler=_romvar),
    }
    if not device.integrity:
        return nodes  # a release without Boot Integrity Visibility
    if device.persona == "iosxe_router":
        nodes["platform"] = Node(
            children={
                "integrity": Node(children={"sign": _nonce_node(_platform_integrity)}),
                "sudi": Node(
                    children={"certificate": Node(children={"sign": _nonce_node(_platform_sudi)})}
                ),
            }
        )
    else:
        nodes["system"] = Node(
            children={
                "integrity": Node(
                    children={
                        "all": Node(
                            children={
                                "measurement": _nonce_node(_system_measurement),
                                "trust_chain": _nonce_node(_system_trust_chain),
                                "compliance": _nonce_node(_system_compliance),
                            }
                        )
                    }
                )
            }
        )
    return nodes
