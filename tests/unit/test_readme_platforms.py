"""The README's table of supported platforms is the one the platform data generates."""

from __future__ import annotations

from pathlib import Path

from imagesweep.platforms import markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- platforms:start -->"
END = "<!-- platforms:end -->"


def test_readme_platform_table_is_generated_from_the_platform_data() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1, (
        f"README.md needs one {START} ... {END} block holding imagesweep.platforms.markdown_table()"
    )
    inside = text.split(START, 1)[1].split(END, 1)[0]
    assert inside.strip("\n") == markdown_table().strip("\n"), (
        "README.md's platform table is stale: paste imagesweep.platforms.markdown_table() "
        f"between {START} and {END}"
    )


def test_the_table_names_every_platform_and_its_digest_command() -> None:
    table = markdown_table()
    for platform in ("cisco_ios", "cisco_xe", "cisco_nxos", "cisco_xr", "juniper_junos",
                     "paloalto_panos"):  # fmt: skip
        assert f"(`{platform}`)" in table
    assert "`show file {path} md5sum`" in table
    assert "none on the device" in table  # PAN-OS
