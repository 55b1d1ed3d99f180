"""The seed's two atomic-test messages, inside full syslog lines, found with the right fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagesweep.hunt.hits import Hit, find_hits
from imagesweep.hunt.indicators import Indicators
from imagesweep.hunt.report import HUNT_COLUMNS, hunt_row
from imagesweep.hunt.timestamps import TimeContext

DATA = Path(__file__).parent / "data"
TRANSFER_CMD = (
    "copy tftp://192.168.1.50/test-image-nonexistent.bin flash:test-image-nonexistent.bin"
)
BOOT_CMD = "boot system flash:argus-test-image.bin"


def _row(hit: Hit, ind: Indicators) -> dict[str, str]:
    return dict(zip(HUNT_COLUMNS, hunt_row(hit, [c.column for c in ind.classes]), strict=True))


def _by_command(hits: tuple[Hit, ...], command: str) -> Hit:
    found = [h for h in hits if h.extracted.command == command]
    assert len(found) == 1, [h.event.message for h in hits]
    return found[0]


@pytest.mark.parametrize(
    ("name", "transfer_time", "boot_time"),
    [
        ("rsyslog-3164.log", "2024-03-03T14:02:11.000Z", "2024-03-03T14:02:40.000Z"),
        ("rfc5424.log", "2024-03-03T14:02:11.007Z", "2024-03-03T14:02:40.310Z"),
        ("sentinel-syslog.csv", "2024-03-03T14:02:11.007Z", "2024-03-03T14:02:40.310Z"),
    ],
)
def test_atomic_tests_found_with_fields(
    ind: Indicators, ctx: TimeContext, name: str, transfer_time: str, boot_time: str
) -> None:
    result = find_hits([DATA / name], indicators=ind, ctx=ctx)
    transfer = _row(_by_command(result.hits, TRANSFER_CMD), ind)
    assert transfer["TimeGenerated"] == transfer_time
    assert transfer["HostName"].startswith("rtr-br-01")
    assert transfer["ExtractedUser"] == "admin"
    assert transfer["SourceTransferIP"] == "192.168.1.50"
    assert transfer["SyslogFacility"] == "PARSER"
    assert transfer["SeverityLevel"] == "notice"
    flags = [transfer[c] for c in HUNT_COLUMNS[10:14]]
    assert flags == ["true", "false", "false", "true"]  # transfer + flash write
    assert transfer["Suppressed"] == "false"

    boot = _row(_by_command(result.hits, BOOT_CMD), ind)
    assert boot["TimeGenerated"] == boot_time
    assert boot["ExtractedUser"] == "admin"
    assert boot["SourceTransferIP"] == ""
    assert boot["SyslogFacility"] == "PARSER"
    assert [boot[c] for c in HUNT_COLUMNS[10:14]] == ["false", "true", "false", "true"]


def test_every_hit_of_the_rsyslog_sample(ind: Indicators, ctx: TimeContext) -> None:
    result = find_hits([DATA / "rsyslog-3164.log"], indicators=ind, ctx=ctx)
    # newest first: resilience (14:08), Junos software add (14:07:30), IOS-XE install add
    # (14:06), boot (14:02:40), transfer (14:02:11). "ip tftp source-interface" is no hit.
    assert [h.event.line for h in result.hits] == [10, 9, 8, 4, 3]
    resilience, junos, install, _, _ = result.hits
    assert resilience.classes == (False, False, True, False)
    assert junos.classes == (True, False, False, False)
    assert junos.extracted.user == "netops"
    assert install.classes == (False, False, False, True)
    assert install.extracted.facility == "INSTALL"
    assert result.unparsed == 1


def test_since_leaves_old_hits_out(ind: Indicators, ctx: TimeContext) -> None:
    from datetime import UTC, datetime

    cutoff = datetime(2024, 3, 3, 14, 5, tzinfo=UTC)
    result = find_hits([DATA / "rsyslog-3164.log"], indicators=ind, ctx=ctx, since=cutoff)
    assert [h.event.line for h in result.hits] == [10, 9, 8]
    assert result.outside_window == 2
