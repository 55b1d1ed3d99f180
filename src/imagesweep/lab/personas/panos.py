"""PAN-OS persona: a PA-VM firewall, prompt ``admin@PA-VM> `` (operational mode).

Netmiko's ``paloalto_panos`` driver logs in with keyboard-interactive (the lab also offers
password), sends ``set cli scripting-mode on`` (it reads the echo up to ``mode on``),
``set cli terminal width 500``, ``set cli pager off``, then ``show system info`` itself and
waits for ``operational-mode``. Formats: ``show system info`` (``key: value`` lines, as in the
corpus) and ``request system software info`` (the Version / Size / Released on / Downloaded /
Current / Uploaded table: no verbatim capture of this command was found, so the columns follow
the corpus's ``request system software check`` table and the XML API's fields).

PAN-OS prints no digest of its software: there is nothing here to hash.
"""

from __future__ import annotations

import hashlib

from imagesweep.lab.commands import Ctx, IncompleteCommand, InvalidInput, Node, Reply, Token
from imagesweep.lab.fleet import Device
from imagesweep.lab.personas.common import decoy_node, exit_node, uptime_minutes
from imagesweep.lab.storage import Entry, Storage


def _choose(token: Token, options: tuple[str, ...]) -> str:
    matches = [o for o in options if o.startswith(token.text.lower())]
    if len(matches) != 1:
        raise InvalidInput(token.start)
    return matches[0]


def _set_cli(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    """``set cli scripting-mode on|off``, ``set cli pager on|off``, ``set cli terminal width N``:
    PAN-OS answers these with nothing but the next prompt."""
    if not args:
        raise IncompleteCommand
    option = _choose(args[0], ("scripting-mode", "pager", "terminal", "config-output-format"))
    if option == "terminal":
        if len(args) < 3:
            raise IncompleteCommand
        _choose(args[1], ("width", "height"))
        if not args[2].text.isdigit():
            raise InvalidInput(args[2].start)
        return Reply()
    if len(args) < 2:
        raise IncompleteCommand
    if option == "config-output-format":
        return Reply()
    value = _choose(args[1], ("on", "off"))
    if option == "pager":
        ctx.term_length = 24 if value == "on" else 0
    return Reply()


def _mac(d: Device) -> str:
    raw = hashlib.md5(f"imagesweep-lab/1:mac:{d.name}".encode()).hexdigest()
    return "00:50:56:" + ":".join(raw[i : i + 2] for i in range(0, 6, 2))


def _uptime(d: Device) -> str:
    minutes = uptime_minutes(d.uptime)
    days, rest = divmod(minutes, 1440)
    return f"{days} days, {rest // 60}:{rest % 60:02d}:41"


def _system_info(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    text = f"""
hostname: {d.hostname}
ip-address: 192.0.2.{sum(d.name.encode()) % 200 + 20}
public-ip-address: unknown
netmask: 255.255.255.0
default-gateway: 192.0.2.1
ip-assignment: static
ipv6-address: unknown
ipv6-link-local-address: fe80::250:56ff:fe00:1/64
ipv6-default-gateway:
mac-address: {_mac(d)}
time: Fri Mar  1 12:00:00 2024
uptime: {_uptime(d)}
family: vm
model: {d.model}
serial: {d.serial}
vm-mac-base: 7C:89:C1:2A:00:00
vm-mac-count: 256
vm-uuid: 4232D0A1-6E4B-1A3C-9F35-2C1B4F0A6D11
vm-cpuid: ESX:57060500FFFB8B1F
vm-license: VM-300
vm-cap-tier: 16.0 GB
vm-cpu-count: 4
vm-memory: 16331948
vm-mode: VMWare ESXi
cloud-mode: non-cloud
sw-version: {d.version}
global-protect-client-package-version: 0.0.0
device-dictionary-version: 84-459
device-dictionary-release-date: 2024/02/27 18:10:06 PST
app-version: 8822-8599
app-release-date: 2024/02/27 17:02:11 PST
av-version: 0
av-release-date: unknown
threat-version: 8822-8599
threat-release-date: 2024/02/27 17:02:11 PST
wf-private-version: 0
wf-private-release-date: unknown
url-db: paloaltonetworks
wildfire-version: 0
wildfire-release-date:
wildfire-rt: Disabled
url-filtering-version: 20240301.20155
global-protect-datafile-version: unknown
global-protect-datafile-release-date: unknown
global-protect-clientless-vpn-version: 0
logdb-version: 10.2.1
plugin_versions:
  Plugin: vm_series
  Version: 3.0.8
platform-family: vm
vpn-disable-mode: off
multi-vsys: off
ZTP: Disabled
operational-mode: normal
advance-routing: off
device-certificate-status: Valid

"""
    return Reply.of(text)


def _size(entry: Entry) -> str:
    return f"{max(1, entry.size // (1024 * 1024))}MB"


def _software(ctx: Ctx, args: tuple[Token, ...]) -> Reply:
    d = ctx.device
    volume = ctx.storage.volume("panos:")
    assert volume is not None
    entries = [volume.entries[rel] for rel in volume.children.get("", [])]

    def key(entry: Entry) -> tuple[int | str, ...]:
        # Newest first, as the device lists them: 11.1.4-h7, 11.1.3, 11.1.2-h3 ...
        return tuple(int(p) if p.isdigit() else p for p in entry.name.replace("-h", ".").split("."))

    rows = []
    for entry in sorted(entries, key=key, reverse=True):
        uploaded = entry.file is not None and entry.file.uploaded
        current = "yes" if entry.name == d.version else "no"
        released = f"{entry.modified:%Y/%m/%d %H:%M:%S}"
        rows.append(
            f"{entry.name:<32} {_size(entry):<7} {released}  {'yes':<11} {current:<8} "
            f"{'yes' if uploaded else 'no'}"
        )
    header = f"{'Version':<32} {'Size':<7} {'Released on':<20} Downloaded  Current  Uploaded"
    table = "\n".join([header, "-" * 93, *rows])
    return Reply.of(f"\n{table}\n\n")


def grammar(device: Device, storage: Storage) -> Node:
    decoy = decoy_node()
    show = {
        "system": Node(
            children={
                "info": Node(handler=_system_info),
                "disk-space": decoy,
                "resources": decoy,
                "software": decoy,
                "state": decoy,
            }
        ),
        "clock": decoy,
        "config": decoy,
        "interface": decoy,
        "jobs": decoy,
        "session": decoy,
    }
    request = {
        "system": Node(
            children={
                "software": Node(
                    children={
                        "info": Node(handler=_software),
                        "check": Node(handler=_software),
                        "download": decoy,
                        "install": decoy,
                    }
                ),
                "private-data-reset": decoy,
            }
        ),
        "restart": decoy,
        "license": decoy,
    }
    return Node(
        children={
            "show": Node(children=show),
            "request": Node(children=request),
            "set": Node(children={"cli": Node(handler=_set_cli, args=True), "system": decoy}),
            "exit": exit_node(),
            "quit": exit_node(),
            "configure": decoy,
            "clear": decoy,
            "debug": decoy,
            "delete": decoy,
            "less": decoy,
            "ping": decoy,
            "scp": decoy,
            "ssh": decoy,
            "tail": decoy,
            "test": decoy,
            "tftp": decoy,
            "traceroute": decoy,
        }
    )
