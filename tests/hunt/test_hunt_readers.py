"""Every input format, gzip, and the accounting of lines that cannot be read."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from imagesweep.errors import ConfigError
from imagesweep.hunt import readers
from imagesweep.hunt.match import Matcher
from imagesweep.hunt.readers import Event, FileStats, parse_line, read, sniff
from imagesweep.hunt.timestamps import TimeContext

DATA = Path(__file__).parent / "data"


def _all(path: Path, ctx: TimeContext, **kw: object) -> tuple[list[Event], FileStats]:
    stats = FileStats(source=str(path))
    events = list(read(path, stats=stats, ctx=ctx, **kw))  # type: ignore[arg-type]
    return events, stats


def _utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=UTC)


def test_rfc3164_rsyslog_file(ctx: TimeContext) -> None:
    events, stats = _all(DATA / "rsyslog-3164.log", ctx)
    assert stats.format == "syslog"
    assert (stats.lines, stats.blank, stats.unparsed, stats.parsed) == (12, 1, 1, 10)
    assert stats.examples[0].line == 11
    assert stats.examples[0].text == "this line was cut by a crashed wri"
    first = events[0]
    assert first.time == _utc(2024, 3, 3, 14, 0, 1)
    assert first.computer == first.hostname == "10.0.0.1"
    # The tag (Cisco's sequence number) is not part of SyslogMessage.
    assert first.message.startswith("Mar  3 14:00:01.112 UTC: %LINEPROTO-5-UPDOWN")
    assert first.severity == "notice"  # from %LINEPROTO-5-; no <PRI> in the file
    assert first.facility == ""
    junos = next(e for e in events if e.computer == "mx-edge-01")
    assert junos.message.startswith("UI_CMDLINE_READ_LINE: User 'netops'")
    nxos = next(e for e in events if e.computer == "sw-core-01")
    assert nxos.message.startswith("2024 Mar  3 14:05:12 UTC: %VSHD-5-VSHD_SYSLOG_CONFIG_I")


def test_rfc5424_file(ctx: TimeContext) -> None:
    events, stats = _all(DATA / "rfc5424.log", ctx)
    assert stats.unparsed == 1
    assert "structured data" in stats.examples[0].reason
    assert stats.examples[0].line == 4
    transfer, boot, junos = events
    assert transfer.time == _utc(2024, 3, 3, 14, 2, 11, 7000)
    assert (transfer.facility, transfer.severity) == ("local7", "notice")  # <189> = 23*8+5
    assert transfer.message.startswith("%PARSER-5-CFGLOG_LOGGEDCMD: User:admin")
    assert boot.time == _utc(2024, 3, 3, 14, 2, 40, 310000)
    assert (junos.facility, junos.severity) == ("local7", "info")
    assert junos.message == "User 'netops', command 'show version '"


def test_gzip_is_recognised_by_content(tmp_path: Path, ctx: TimeContext) -> None:
    plain = (DATA / "rsyslog-3164.log").read_bytes()
    packed = tmp_path / "syslog.1"  # no .gz suffix: rotated files are often named so
    packed.write_bytes(gzip.compress(plain))
    events, stats = _all(packed, ctx)
    assert (stats.lines, stats.unparsed, len(events)) == (12, 1, 10)


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path, ctx: TimeContext) -> None:
    data = gzip.compress((DATA / "rsyslog-3164.log").read_bytes() * 200)
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(data[: len(data) // 2])
    events, stats = _all(cut, ctx)
    assert stats.error.startswith("truncated: the gzip stream ends at byte")
    assert f"after line {stats.lines:,}" in stats.error
    assert 0 < len(events) < 2000
    assert stats.lines >= len(events)  # the lines read before the break are counted


def test_sentinel_csv_export(ctx: TimeContext) -> None:
    events, stats = _all(DATA / "sentinel-syslog.csv", ctx)
    assert stats.format == "sentinel-csv"
    assert (stats.lines, stats.blank, stats.unparsed) == (5, 1, 1)
    assert "TimeGenerated" in stats.examples[0].reason
    transfer, boot, config = events
    assert transfer.time == _utc(2024, 3, 3, 14, 2, 11, 7000)  # "3/3/2024, 2:02:11.007 PM"
    assert (transfer.computer, transfer.hostname) == ("rtr-br-01", "rtr-br-01")
    assert (transfer.facility, transfer.severity) == ("local7", "notice")
    assert boot.message.endswith("boot system flash:argus-test-image.bin")
    assert config.message.endswith('(10.1.1.5), "quoted"')


def test_sentinel_json_export(ctx: TimeContext) -> None:
    events, stats = _all(DATA / "sentinel-syslog.json", ctx)
    assert stats.format == "sentinel-json"
    assert (stats.lines, stats.unparsed) == (4, 1)
    assert [e.computer for e in events] == ["rtr-br-01", "cat9k-01", "xr-pe-01"]
    assert events[0].time == _utc(2024, 3, 3, 14, 2, 11, 7000)  # 7 fraction digits


def test_sentinel_json_lines_and_query_api(tmp_path: Path, ctx: TimeContext) -> None:
    row = {"TimeGenerated": "2024-03-03T14:02:11Z", "Computer": "r1", "SyslogMessage": "hello"}
    lines = tmp_path / "rows.jsonl"
    lines.write_text(json.dumps(row) + "\n\nnot json\n" + json.dumps(row) + "\n", encoding="utf-8")
    events, stats = _all(lines, ctx)
    assert (len(events), stats.blank, stats.unparsed) == (2, 1, 1)
    assert stats.examples[0].line == 3
    api = tmp_path / "result.json"
    api.write_text(
        json.dumps(
            {
                "tables": [
                    {
                        "name": "PrimaryResult",
                        "columns": [
                            {"name": "TimeGenerated", "type": "datetime"},
                            {"name": "HostName", "type": "string"},
                            {"name": "SyslogMessage", "type": "string"},
                        ],
                        "rows": [["2024-03-03T14:02:11Z", "r2", "x"], ["short"]],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    events, stats = _all(api, ctx)
    assert [(e.hostname, e.computer) for e in events] == [("r2", "")]
    assert stats.unparsed == 1


def test_panos_system_csv_export(ctx: TimeContext) -> None:
    events, stats = _all(DATA / "panos-system.csv", ctx)
    assert stats.format == "panos-csv"
    assert stats.unparsed == 1
    login, failed = events
    assert login.time == _utc(2024, 3, 3, 14, 10)
    assert login.computer == "pa-fw-01"
    assert login.message == "User admin logged in via Web from 10.1.1.5 using https"
    assert failed.severity == "critical"


def test_panos_system_log_forwarded_as_syslog(ctx: TimeContext) -> None:
    # A real forwarded SYSTEM log (receive time, serial, ... description, ..., device name).
    line = (
        "<14>Mar 25 00:00:56 PAN1.exampleCustomer.com 1,2016/03/25 00:00:56,003002112674,SYSTEM,"
        "general,0,2016/03/25 00:00:56,,general,,0,0,general,informational,User HarryPotter "
        "logged in via Web from 10.255.255.255 using http,156324,0x0,0,0,0,0,,SUNKUPAN1"
    )
    event = parse_line(line, TimeContext(year=2016))
    assert isinstance(event, Event)
    assert event.computer == "PAN1.exampleCustomer.com"
    assert event.hostname == "SUNKUPAN1"
    assert event.message == "User HarryPotter logged in via Web from 10.255.255.255 using http"
    assert (event.facility, event.severity) == ("user", "info")
    assert event.time == _utc(2016, 3, 25, 0, 0, 56)


@pytest.mark.parametrize(
    ("line", "time", "computer", "message"),
    [
        (  # show logging: sequence number, unsynced-clock star, msec, zone
            "000183: *Mar  3 14:02:11.007 UTC: %SYS-5-CONFIG_I: Configured from console by admin",
            _utc(2024, 3, 3, 14, 2, 11, 7000),
            "",
            "%SYS-5-CONFIG_I: Configured from console by admin",
        ),
        (  # IOS-XR show logging: node prefix
            "RP/0/RSP0/CPU0:Mar  3 14:09:00.412 UTC: instdir[257]: "
            "%INSTALL-INSTMGR-6-INSTALL_OPERATION_STARTED : Install operation 9 started",
            _utc(2024, 3, 3, 14, 9, 0, 412000),
            "",
            "instdir[257]: %INSTALL-INSTMGR-6-INSTALL_OPERATION_STARTED : "
            "Install operation 9 started",
        ),
        (  # uptime stamp: no absolute time at all
            "1w2d: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
            None,
            "",
            "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
        ),
        (  # NX-OS logfile: year first, then host
            "2024 Mar  3 14:05:12 nx-01 %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up in mode "
            "access",
            _utc(2024, 3, 3, 14, 5, 12),
            "nx-01",
            "%ETHPORT-5-IF_UP: Interface Ethernet1/1 is up in mode access",
        ),
        (  # rsyslog RSYSLOG_FileFormat: ISO stamp with offset
            "2024-03-03T15:02:11.123456+01:00 rtr-2 sshd[99]: Accepted password for a from b",
            _utc(2024, 3, 3, 14, 2, 11, 123456),
            "rtr-2",
            "Accepted password for a from b",
        ),
        (  # a header with PRI but BSD stamp (syslog-ng with the priority kept)
            "<187>Mar  3 14:02:11 10.0.0.9 %LINK-3-UPDOWN: Interface Gi0/1, changed state to down",
            _utc(2024, 3, 3, 14, 2, 11),
            "10.0.0.9",
            "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down",
        ),
    ],
)
def test_line_forms(
    ctx: TimeContext, line: str, time: datetime | None, computer: str, message: str
) -> None:
    event = parse_line(line, ctx)
    assert isinstance(event, Event), event
    assert (event.time, event.computer, event.message) == (time, computer, message)


def test_year_inference_and_zone() -> None:
    january = TimeContext(now=datetime(2025, 1, 2, tzinfo=UTC))
    event = parse_line("Dec 31 23:59:59 r1 x", january)
    assert isinstance(event, Event) and event.time == _utc(2024, 12, 31, 23, 59, 59)
    from zoneinfo import ZoneInfo

    berlin = TimeContext(tz=ZoneInfo("Europe/Berlin"), year=2024)
    event = parse_line("Mar  3 14:02:11 r1 x", berlin)
    assert isinstance(event, Event) and event.time == _utc(2024, 3, 3, 13, 2, 11)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Feb 30 14:02:11 r1 x", "not a real date"),
        ("random words", "no syslog header"),
        ("Mar  3 14:0", "no syslog header"),
        ('<189>1 2024-03-03T14:02:11Z r1 - - - [x a="unterminated] msg', "structured data"),
        ("<189>1 yesterday r1 - - - - msg", "timestamp"),
    ],
)
def test_unparseable_lines_say_why(ctx: TimeContext, line: str, reason: str) -> None:
    result = parse_line(line, ctx)
    assert isinstance(result, str) and reason in result


def test_prefilter_still_counts_every_bad_line(
    tmp_path: Path, ctx: TimeContext, matcher: Matcher
) -> None:
    path = tmp_path / "mixed.log"
    path.write_text(
        "Mar  3 14:02:11 r1 %LINK-3-UPDOWN: Interface Gi0/1, changed state to down\n"
        "garbage without a header\n"
        "Feb 30 14:02:11 r1 %LINK-3-UPDOWN: impossible date, no indicator\n"
        "\n"
        "Mar  3 14:02:12 r1 12: %PARSER-5-CFGLOG_LOGGEDCMD: User:a logged command:rommon\n",
        encoding="utf-8",
    )
    stats = FileStats(source=str(path))
    events = list(read(path, stats=stats, ctx=ctx, prefilter=matcher.words))
    assert [e.line for e in events] == [5]  # only the candidate became an event
    assert (stats.lines, stats.blank, stats.unparsed, stats.parsed) == (5, 1, 2, 2)
    assert [u.line for u in stats.examples] == [2, 3]


def test_sniffing() -> None:
    assert sniff("TimeGenerated [UTC],Computer,SyslogMessage\n") == "sentinel-csv"
    assert sniff('\ufeff[{"TimeGenerated": 1}]') == "sentinel-json"
    assert sniff("Domain,Receive Time,Serial #,Type,Description\n") == "panos-csv"
    assert sniff("Mar  3 14:02:11 r1 a, b, c\n") == "syslog"


def test_missing_file_and_columns(tmp_path: Path, ctx: TimeContext) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        _all(tmp_path / "nope.log", ctx)
    bad = tmp_path / "bad.csv"
    bad.write_text("Computer,SyslogMessage\nr1,x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="TimeGenerated"):
        _all(bad, ctx)
    with pytest.raises(ConfigError, match="unknown format"):
        _all(bad, ctx, fmt="xml")


def test_forced_format(tmp_path: Path, ctx: TimeContext) -> None:
    # A syslog line with commas in it is not taken for CSV when told so.
    path = tmp_path / "x.txt"
    path.write_text("Mar  3 14:02:11 r1 a,b,SyslogMessage\n", encoding="utf-8")
    events, _ = _all(path, ctx, fmt="syslog")
    assert events[0].message == "a,b,SyslogMessage"
    assert readers.FORMATS[0] == "auto"


def test_hostile_lines_stay_fast(matcher: Matcher) -> None:
    import time

    ctx = TimeContext(year=2024)
    lines = [
        "Mar  3 14:02:11 h copy " + "-" * 1_000_000,
        "<189>1 2024-03-03T14:02:11Z h - - - " + '[a b="' + "\\x" * 300_000,
        "<189>1 2024-03-03T14:02:11Z h - - - [a" + ' b="x"' * 100_000 + "]x",
        "Mar  3 14:02:11 " + "a" * 1_000_000 + ":",
        "RP/" + "0/" * 300_000 + ":",
        "no boot system " * 100_000,
    ]
    start = time.perf_counter()
    for line in lines:
        parse_line(line, ctx)
        matcher.classify(line)
    assert time.perf_counter() - start < 3.0
