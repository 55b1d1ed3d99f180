"""The indicators data file: every indicator of the seed rule, each one firing its class."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from imagesweep.errors import ConfigError
from imagesweep.hunt import indicators
from imagesweep.hunt.indicators import Indicators
from imagesweep.hunt.match import Matcher, has

# The seed's lists as CHECKS.md section H gives them (the data file is what is under test).
SEED = {
    "IsImageTransfer": [
        "copy tftp", "copy ftp", "copy scp", "copy http", "copy https", "copy rcp",
        "archive download-sw", "archive copy-sw", "install add file", "install activate",
        "request system software add", "request system software validate",
    ],
    "IsBootManipulation": [
        "boot system flash", "boot system tftp", "boot system ftp", "boot system http",
        "no boot system", "confreg 0x", "rommon", "ROMMON_CONFIG", "SETVAR",
    ],
    "IsIntegrityAlert": [
        "INTEGRITY_FAILED", "SIGNATURE_FAILED", "hash mismatch", "image verification failed",
        "FLASH-4-WRITE_FAILED", "FLASH-5-SIGNIFICANT_FLASH_ERASE", "tamper detected",
        "SOFTWARE INTEGRITY", "IOS_RESILIENCE",
    ],
}  # fmt: skip
EXTENSIONS = [".bin", ".img", ".ova", ".tar", ".pkg", ".tgz", ".qcow2"]
LOCATIONS = ["flash:", "disk0:", "bootflash:"]
LOW = {"FLASH-4-WRITE_FAILED", "SIGNATURE_FAILED", "INTEGRITY_FAILED", "ROMMON_CONFIG", "SETVAR"}


def _column_of(ind: Indicators, column: str) -> int:
    return [c.column for c in ind.classes].index(column)


def _texts(ind: Indicators, column: str) -> list[str]:
    cls = ind.classes[_column_of(ind, column)]
    return [i.text for group in cls.require for i in group]


def test_data_file_holds_the_seed_lists(ind: Indicators) -> None:
    for column, strings in SEED.items():
        assert set(strings) <= set(_texts(ind, column)), column
    flash = ind.classes[_column_of(ind, "IsFlashWrite")]
    assert [[i.text for i in g] for g in flash.require] == [EXTENSIONS, LOCATIONS]


def test_low_confidence_strings_are_marked(ind: Indicators) -> None:
    marked = {i.text for c in ind.classes for g in c.require for i in g if i.confidence == "low"}
    assert marked == LOW


def test_additions_are_marked_as_ours(ind: Indicators) -> None:
    seed = {s for strings in SEED.values() for s in strings} | set(EXTENSIONS) | set(LOCATIONS)
    for cls in ind.classes:
        for group in cls.require:
            for i in group:
                assert (i.origin == "seed") == (i.text in seed), i.text


_CASES = [(column, s) for column, strings in SEED.items() for s in strings]


@pytest.mark.parametrize(("column", "indicator"), _CASES)
def test_each_indicator_fires_its_class(
    ind: Indicators, matcher: Matcher, column: str, indicator: str
) -> None:
    i = _column_of(ind, column)
    message = f"%PARSER-5-CFGLOG_LOGGEDCMD: User:admin logged command:{indicator} 10.1.1.1"
    assert matcher.classify(message)[i]
    assert matcher.candidate(message)
    upper = f"Mar  3 14:02:11 rtr1 12: %X-5-Y: {indicator.upper()}"
    assert matcher.classify(upper)[i]


@pytest.mark.parametrize(("column", "indicator"), _CASES)
def test_a_longer_last_term_is_another_word(
    ind: Indicators, matcher: Matcher, column: str, indicator: str
) -> None:
    # "copy tftpx" is not "copy tftp"; the class still fires only if another of its
    # indicators is in the text as whole terms (e.g. "confreg" in "confreg 0xx").
    i = _column_of(ind, column)
    message = f"logged command:{indicator}x next"
    others = [s for s in _texts(ind, column) if has(message, s)]
    assert indicator not in others
    assert matcher.classify(message)[i] == bool(others)


@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize("location", LOCATIONS)
def test_flash_write_needs_extension_and_location(
    ind: Indicators, matcher: Matcher, extension: str, location: str
) -> None:
    i = _column_of(ind, "IsFlashWrite")
    assert matcher.classify(f"copy scp://u@h/os{extension} {location}os{extension}")[i]
    assert not matcher.classify(f"copy scp://u@h/os{extension} usb0:os{extension}")[i]
    assert not matcher.classify(f"dir {location}")[i]
    assert not matcher.classify(f"copy {location}os{extension}x nvram:")[i]


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "ind.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _minimal() -> dict[str, Any]:
    raw = yaml.safe_load(indicators.default_path().read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["classes"].pop(), "exactly once"),
        (lambda d: d["classes"][0]["require"][0].append("::"), "no letters or digits"),
        (lambda d: d["extract"]["ExtractedUser"].append("(unclosed"), "bad regex"),
        (lambda d: d["extract"]["ExtractedUser"].append("no group"), "has no group"),
        (
            lambda d: d["classes"][0]["require"][0].append({"term": "x", "confidence": "meh"}),
            "confidence",
        ),
        (lambda d: d.pop("extract"), "'extract'"),
    ],
)
def test_bad_indicator_files_are_refused(tmp_path: Path, change: Any, message: str) -> None:
    data = _minimal()
    change(data)
    with pytest.raises(ConfigError, match=message):
        indicators.load(_write(tmp_path, data))


def test_unreadable_indicator_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        indicators.load(tmp_path / "missing.yaml")
