"""The Junos persona through Netmiko's own juniper_junos driver: the session preparation
answers, the prompt with its trailing space (a fast disconnect), and the layouts against the
vendor-format fixtures and the corpus."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imagesweep.lab.commands import Ctx, dispatch
from imagesweep.lab.fleet import Fleet
from imagesweep.lab.personas import grammar
from imagesweep.lab.storage import Storage
from imagesweep.parse import parse_step
from imagesweep.platforms import profile
from imagesweep.records import BootInfo, DigestResult, Pending, StorageListing, VersionInfo

Connect = Callable[..., Any]
STAGED = "/var/tmp/junos-srxsme-15.1X49-D170.4-domestic.tgz"
FIXTURES = Path(__file__).resolve().parents[1] / "parse" / "cases" / "juniper_junos"
# "-rw-r--r--  1 admin staff  136351532 Aug 20 09:40 name" (FreeBSD ls -l in file list)
LS_LINE = re.compile(
    r"^[-dl][-rwxsStT]{9}  \d+ \S+ +\S+ +\d+ [A-Z][a-z]{2} [ \d]\d (?: \d{4}|\d\d:\d\d) \S"
)


def run(fleet: Fleet, name: str, line: str) -> str:
    device = fleet.device(name)
    storage = Storage(device)
    ctx = Ctx(device=device, storage=storage, privileged=True)
    return dispatch(grammar(device, storage), line, ctx).text


@pytest.fixture(scope="module")
def srx(connect: Connect) -> Any:
    return connect("jn1-clean")


def test_session_preparation_gets_the_junos_answers(demo_fleet: Fleet) -> None:
    assert run(demo_fleet, "jn1-clean", "set cli screen-width 511") == "Screen width set to 511\n\n"
    assert run(demo_fleet, "jn1-clean", "set cli complete-on-space off") == (
        "Disabling complete-on-space\n\n"
    )
    assert run(demo_fleet, "jn1-clean", "set cli screen-length 0") == "Screen length set to 0\n\n"


def test_prompt_ends_with_a_space_and_disconnect_is_quick(connect: Connect) -> None:
    session = connect("jn3-dual")
    assert session.find_prompt() == "admin@SRX3-BRANCH>"
    assert session.base_prompt == "admin@SRX3-BRANCH"
    session.write_channel("\n")
    time.sleep(0.2)
    assert session.read_channel().endswith("admin@SRX3-BRANCH> ")
    started = time.monotonic()
    session.disconnect()
    assert time.monotonic() - started < 1.5  # a prompt without the space costs 10 s


def test_show_version(srx: Any) -> None:
    output = srx.send_command("show version")
    assert output.splitlines() == [
        "Hostname: SRX1-BRANCH",
        "Model: srx345",
        "Junos: 15.1X49-D170.4",
        "JUNOS Software Release [15.1X49-D170.4]",
    ]
    version = parse_step("juniper_junos", "version", output)
    assert isinstance(version, VersionInfo) and version.version == "15.1X49-D170.4"


def test_snapshot_slices_follow_the_vendor_layout(connect: Connect) -> None:
    output = connect("jn4-backup-differs").send_command("show system snapshot media internal")
    reference = (FIXTURES / "boot/srx_same_release_vendor_format.raw").read_text()
    shape = [re.sub(r"\d", "9", line.split(":")[0]) for line in reference.splitlines()]
    assert [re.sub(r"\d", "9", line.split(":")[0]) for line in output.splitlines()] == shape
    assert "  junos  : 15.1X49-D160.2-domestic" in output.splitlines()
    boot, pending = parse_step("juniper_junos", "boot", output)  # type: ignore[misc]
    assert isinstance(boot, BootInfo) and boot.next_version == "15.1X49-D170.4"
    assert isinstance(pending, Pending) and "15.1X49-D160.2" in pending.description


def test_file_list_detail_has_the_shape_of_real_listings(srx: Any) -> None:
    reference = (FIXTURES / "listing/ex_var_tmp_vendor_format.raw").read_text()
    real = [line for line in reference.splitlines() if re.match(r"^[-dl][-rwx]", line)]
    assert real and all(LS_LINE.match(line) for line in real)
    output = srx.send_command("file list /var/tmp detail")
    lines = output.strip("\n").splitlines()
    assert lines[:2] == ["/var/tmp:", lines[1]] and lines[1].startswith("total blocks: ")
    listed = [line for line in lines if re.match(r"^[-dl][-rwx]", line)]
    assert listed and all(LS_LINE.match(line) for line in listed)
    assert lines[-1] == "total files: 3"
    listing = parse_step("juniper_junos", "listing", output, "/var/tmp")
    assert isinstance(listing, StorageListing)
    assert {f.path: f.size for f in listing.files}[STAGED] == 269482345


def test_file_checksum_lines(srx: Any, demo_fleet: Fleet) -> None:
    md5 = demo_fleet.image(STAGED.rsplit("/", 1)[1]).md5
    # Junos leaves an empty line before the next prompt
    assert srx.send_command(f"file checksum md5 {STAGED}") == f"MD5 ({STAGED}) = {md5}\n"
    sha256 = srx.send_command(f"file checksum sha-256 {STAGED}").strip()
    assert re.fullmatch(rf"SHA256 \({re.escape(STAGED)}\) = [0-9a-f]{{64}}", sha256)
    result = parse_step("juniper_junos", "digest", f"MD5 ({STAGED}) = {md5}\n", STAGED)
    assert isinstance(result, DigestResult) and result.digest == md5


def test_syntax_errors_are_rejections(srx: Any) -> None:
    prof = profile("juniper_junos")
    output = srx.send_command("show bogus")
    assert output.splitlines()[-1] == "syntax error."
    assert output.splitlines()[0].index("^") == len("admin@SRX1-BRANCH> show ")
    assert prof.rejection(output)
    assert prof.rejection(srx.send_command("frobnicate")) == "syntax error, expecting <command>."
