"""Lab personas: one keyword tree of commands per device family.

Adding a persona: its static data in :mod:`imagesweep.lab.hardware`, a grammar builder here.
"""

from __future__ import annotations

from collections.abc import Callable

from imagesweep.lab.commands import Node
from imagesweep.lab.fleet import Device
from imagesweep.lab.personas import ios, iosxe, iosxr, junos, nxos, panos
from imagesweep.lab.storage import Storage

GRAMMARS: dict[str, Callable[[Device, Storage], Node]] = {
    "ios_router": ios.router_grammar,
    "ios_switch": ios.switch_grammar,
    "iosxe_switch": iosxe.switch_grammar,
    "iosxe_router": iosxe.router_grammar,
    "nxos": nxos.grammar,
    "iosxr": iosxr.grammar,
    "junos": junos.grammar,
    "panos": panos.grammar,
}


def grammar(device: Device, storage: Storage) -> Node:
    return GRAMMARS[device.persona](device, storage)
