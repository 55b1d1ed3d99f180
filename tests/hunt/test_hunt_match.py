"""Kusto `has` semantics: whole terms, case-insensitive, phrases of adjacent terms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imagesweep.hunt.match import Matcher, has, minimal_words, phrase_regex, terms


def test_terms_are_alphanumeric_runs() -> None:
    # Kusto's own example string: punctuation, including "-" and ";", only separates.
    text = "Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun"
    assert terms(text) == [
        "kusto", "ad67d136", "c1db", "4f9f", "88ef", "d94f3b6b0b5a", "kustoexplorerqueryrun",
    ]  # fmt: skip
    # Underscore is not alphanumeric: mnemonics split at it.
    assert terms("%IOS_RESILIENCE-5-IMAGE_RESIL_ACTIVE:") == [
        "ios", "resilience", "5", "image", "resil", "active",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "indicator", "expected", "substring"),
    [
        # copy tftp: vs copy tftp:// - both hold the phrase "copy tftp"
        ("logged command:copy tftp: flash:", "copy tftp", True, True),
        ("logged command:copy tftp://192.168.1.50/x.bin flash:x.bin", "copy tftp", True, True),
        ("logged command:COPY  TFTP:", "copy tftp", True, False),
        ("logged command:copy tftpboot/x flash:", "copy tftp", False, True),
        ("logged command:copy flash:x.bin tftp://10.1.1.1/", "copy tftp", False, False),
        # "copy https" is its own indicator; "copy http" must not match it by prefix
        ("copy https://h/x.bin flash:", "copy http", False, True),
        ("copy https://h/x.bin flash:", "copy https", True, True),
        # boot system flash:x vs boot systems
        ("logged command:boot system flash:argus-test-image.bin", "boot system flash", True, True),
        ("logged command:boot systems flash:x", "boot system flash", False, False),
        ("logged command:no boot systems", "no boot system", False, True),
        ("logged command:no boot system", "no boot system", True, True),
        # .bin inside a longer token
        ("flash:c2900-universalk9-mz.SPA.157-3.M8.bin", ".bin", True, True),
        ("flash:x.bin.bak", ".bin", True, True),
        ("flash:x.binary", ".bin", False, True),
        ("flash:cabinet", ".bin", False, False),
        ("show bin", ".bin", True, False),  # the dot is punctuation: only the term counts
        # punctuation written in the indicator is not required in the text
        ("bootflash:packages.conf", "bootflash:", True, True),
        ("copied to bootflash, done", "bootflash:", True, False),
        ("flash:", "bootflash:", False, False),
        # mnemonics: underscore and dash split terms on both sides
        (
            "%IOS_RESILIENCE-5-IMAGE_RESIL_ACTIVE: Successfully secured",
            "IOS_RESILIENCE",
            True,
            True,
        ),
        ("%IOS_RESILIENCEX-5-X:", "IOS_RESILIENCE", False, True),
        ("ROMMON_CONFIG updated", "rommon", True, True),
        ("rommonitor", "rommon", False, True),
        ("integrity failed", "INTEGRITY_FAILED", True, False),
        ("%FLASH-4-WRITE_FAILED: x", "FLASH-4-WRITE_FAILED", True, True),
        # confreg 0x as the seed wrote it: "0x" is a term of its own
        ("confreg 0x2142", "confreg 0x", False, True),
        ("confreg 0x", "confreg 0x", True, True),
        ("confreg 0x2142", "confreg", True, True),
        # non-ASCII characters separate terms (Kusto's terms are ASCII)
        ("copy\u00a0tftp:", "copy tftp", True, False),
        ("co\u0440y tftp:", "copy tftp", False, False),  # Cyrillic er, not "p"
        ("\u212aopy", "kopy", False, True),  # Kelvin sign: str.lower() folds it, Kusto not
    ],
)
def test_has_edge_cases(text: str, indicator: str, expected: bool, substring: bool) -> None:
    assert has(text, indicator) is expected
    assert (phrase_regex([indicator]).search(text) is not None) is expected
    # The substring search the seed's `has` is often mistaken for decides otherwise here:
    assert (indicator.lower() in text.lower()) is substring


def test_phrase_regex_alternation_with_shared_prefixes() -> None:
    regex = phrase_regex(["copy http", "copy https", "copy tftp", "boot system flash", "boot"])
    assert regex.search("x copy https://h/ y")
    assert regex.search("copy http://h/")
    assert regex.search("boot")
    assert regex.search("boot system flash:x")
    assert not regex.search("copy httpx")
    assert not regex.search("booted")


def test_phrase_regex_needs_a_term() -> None:
    with pytest.raises(ValueError):
        phrase_regex(["::", "--"])


def test_minimal_words_drops_covered_words() -> None:
    assert minimal_words(["bootflash", "boot", "flash", "disk0"]) == ("boot", "disk0", "flash")


_PIECES = st.sampled_from(
    ["copy", "COPY", "tftp", "tftpboot", "boot", "system", "systems", "flash", "bin", "binary",
     "x", "0x", "0x2142", "rommon", "_", "-", ":", "/", ".", " ", "  ", "://", "%", "\u00e9"]
)  # fmt: skip
_INDICATORS = [
    "copy tftp", "boot system flash", ".bin", "flash:", "no boot system", "confreg 0x",
    "rommon", "ROMMON_CONFIG", "FLASH-4-WRITE_FAILED",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join), st.sampled_from(_INDICATORS))
def test_regex_agrees_with_tokenising_reference(text: str, indicator: str) -> None:
    assert (phrase_regex([indicator]).search(text) is not None) == has(text, indicator)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_prefilter_never_hides_a_match(text: str) -> None:
    matcher = Matcher(
        [
            ("transfer", [["copy tftp", "copy https"]]),
            ("boot", [["boot system flash", "rommon", "confreg 0x"]]),
            ("write", [[".bin"], ["flash:", "bootflash:"]]),
        ]
    )
    if any(matcher.classify(text)):
        assert matcher.candidate(text)


def test_multi_group_class_needs_every_group() -> None:
    matcher = Matcher([("write", [[".bin"], ["flash:", "disk0:"]])])
    assert matcher.classify("copy x.bin flash:x.bin") == (True,)
    assert matcher.classify("copy x.bin usb0:x.bin") == (False,)
    assert matcher.classify("dir flash:") == (False,)
    # the longer group is the prefilter's: "bin" would also fire on "cabinet"
    assert matcher.words == ("disk0", "flash")
