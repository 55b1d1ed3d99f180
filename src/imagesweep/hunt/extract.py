"""The rule's extracted fields: user, logged command, transfer source host, facility mnemonic.

The regexes live in indicators.yaml (``extract``), so the KQL export uses the very same ones;
each field tries its patterns in order and keeps the first match's group 1, as a KQL
``coalesce(extract(...), extract(...))`` does. The seed's patterns come first:
user ``[Uu]ser[:\\s]+([\\w\\\\@\\.\\-]+)``, command ``logged command[:\\s]+(.+?)$``,
mnemonic ``%([A-Z_\\-]+)-\\d-``; transfer source from ``tftp|ftp|scp|http(s)://`` URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imagesweep.hunt.indicators import Indicators

_MAX_FIELD = 512  # a hostile line cannot make a cell longer than this
# Fields are looked for in the first 8 KiB (syslog messages are 1-2 KiB by RFC), so a line
# made of thousands of "%IOSXE-5-PLATFORM:" cannot make a lazy pattern rescan megabytes.
_MAX_SCAN = 8192


@dataclass(frozen=True)
class Extracted:
    user: str = ""
    command: str = ""
    transfer_host: str = ""
    facility: str = ""  # the mnemonic's facility part, e.g. "PARSER"


class Extractor:
    def __init__(self, indicators: Indicators) -> None:
        self._fields = {
            name: tuple(re.compile(p) for p in patterns)
            for name, patterns in indicators.extractors.items()
        }

    def _first(self, name: str, message: str) -> str:
        for pattern in self._fields[name]:
            m = pattern.search(message)
            if m and m.group(1):
                return m.group(1).strip()[:_MAX_FIELD]
        return ""

    def __call__(self, message: str) -> Extracted:
        message = message[:_MAX_SCAN]
        return Extracted(
            user=self._first("ExtractedUser", message),
            command=self._first("ExtractedCommand", message),
            transfer_host=self._first("SourceTransferIP", message),
            facility=self._first("SyslogFacility", message),
        )
