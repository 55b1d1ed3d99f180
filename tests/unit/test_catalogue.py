from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from imagesweep.baseline import catalogue
from imagesweep.errors import ConfigError

HEADER = "filename,md5,sha512,platform,version,source\n"
MD5 = "0f369ed9e98756f179d4f29d6e7755d3"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "known-good.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_load_merges_sources_that_agree(tmp_path: Path) -> None:
    sha = "ab" * 64
    path = write(tmp_path, f"x.bin,{MD5},,cisco_ios,15.1,cisco.com\nX.BIN,,{sha},,,mirror\n")
    cat = catalogue.load(path)
    entry = cat.get("x.bin")
    assert entry is not None
    assert (entry.md5, entry.sha512, entry.source) == (MD5, sha, "cisco.com;mirror")
    assert cat.by_digest(MD5)[0].filename == "x.bin"
    assert cat.algorithms_needed() == {}


def test_sha512_only_rows_ask_for_sha512(tmp_path: Path) -> None:
    cat = catalogue.load(write(tmp_path, f"y.bin,,{'cd' * 64},,,\n"))
    assert cat.algorithms_needed() == {"y.bin": ("sha512",)}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x.bin,,,,,\n", ":2: x.bin: needs an md5 or a sha512"),
        ("x.bin,nothex,,,,\n", ":2: x.bin: md5 is not a hex digest"),
        ("x.bin,{md5}\n", ":2: 2 fields, expected 6"),
        ("x.bin,{md5},,,,\nx.bin,{other},,,,\n", ":3: x.bin: md5 disagrees with line 2"),
        ("flash:x.bin,{md5},,,,\n", ":2: filename must be a bare file name"),
    ],
)
def test_malformed_rows_name_the_line(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body.format(md5=MD5, other="1" * 32))
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        catalogue.load(path)


def test_bad_header_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("name,digest\nx,y\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c.csv:1: header lacks filename, md5"):
        catalogue.load(path)
    with pytest.raises(ConfigError, match="cannot read"):
        catalogue.load(tmp_path / "absent.csv")


def test_add_digests_local_images(tmp_path: Path) -> None:
    image = tmp_path / "cat9k_iosxe.17.09.04a.SPA.bin"
    image.write_bytes(b"not really an image" * 1000)
    path = tmp_path / "kg.csv"
    added, _ = catalogue.add(
        path, [image], platform="cisco_xe", version="17.9.4a", source="cisco.com"
    )
    assert added[0].md5 == hashlib.md5(image.read_bytes()).hexdigest()
    assert added[0].sha512 == hashlib.sha512(image.read_bytes()).hexdigest()
    loaded = catalogue.load(path)
    assert loaded.get(image.name) == added[0]
    image.write_bytes(b"tampered")
    with pytest.raises(ConfigError, match="already listed with other digests"):
        catalogue.add(path, [image])
