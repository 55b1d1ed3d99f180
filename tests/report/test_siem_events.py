"""SIEM events: Sentinel's CommonSecurityLog fields, CEF and RFC 5424 escaping, JSON lines,
delivery over TLS and delivery failures."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from report_support import HOSTILE_HOST, HOSTILE_HOSTNAME, HOSTILE_IMAGE, hostile_run
from syslog_support import parse_cef

from imagesweep import __version__
from imagesweep.baseline.catalogue import Catalogue
from imagesweep.errors import ConfigError
from imagesweep.paths import basename
from imagesweep.records import KnownGood
from imagesweep.report import siem
from imagesweep.report.schema import read_sweep
from imagesweep.sanitize import terminal

GOOD = "fedcba9876543210fedcba9876543210"


def _events(tmp_path: Path) -> tuple[siem.Event, ...]:
    catalogue = Catalogue.of([KnownGood(filename=basename(terminal(HOSTILE_IMAGE)), md5=GOOD)])
    return siem.events(read_sweep(hostile_run(tmp_path / "run")), catalogue)


def test_one_event_per_finding_and_per_device(tmp_path: Path) -> None:
    batch = _events(tmp_path)
    assert [(e.kind, e.class_id) for e in batch] == [
        ("finding", "HASH_MISMATCH"),
        ("verdict", siem.VERDICT_CLASS),
        ("verdict", siem.VERDICT_CLASS),
    ]
    assert [e.log_severity for e in batch] == [10, 10, 0]


def test_hostile_text_cannot_change_the_cef_framing(tmp_path: Path) -> None:
    finding = _events(tmp_path)[0]
    message = siem.cef(finding)
    assert "\n" not in message and "\r" not in message and "\x1b" not in message
    header, ext = parse_cef(message)
    assert header[:5] == ["CEF:0", "imagesweep", "imagesweep", __version__, "HASH_MISMATCH"]
    assert header[6] == "10"
    assert header[5].startswith(terminal(HOSTILE_IMAGE).replace("\n", " ") + ": digest")
    assert ext["dvchost"] == terminal(HOSTILE_HOSTNAME).replace("\u2028", " ")
    assert ext["deviceExternalId"] == terminal(HOSTILE_HOST)
    assert ext["fname"] == terminal(HOSTILE_IMAGE)  # the newline survives, escaped
    assert ext["fileHash"] == "0123456789abcdef0123456789abcdef"
    assert ext["dvc"] == "127.0.0.1"
    assert (ext["cs1Label"], ext["cs1"]) == ("platform", "cisco_ios")
    assert (ext["cs2Label"], ext["cs2"]) == ("image", terminal(HOSTILE_IMAGE))
    assert (ext["cs3Label"], ext["cs3"]) == ("expected digest", f"md5:{GOOD}")
    assert (ext["cs4Label"], ext["cs4"]) == ("technique", "T1601.001")
    assert set(ext) <= {
        *("rt", "dvchost", "dvc", "deviceExternalId", "fname", "fileHash", "msg", "reason"),
        *("outcome", "cat", "cnt"),
        *(f"cs{n}" for n in range(1, 7)),
        *(f"cs{n}Label" for n in range(1, 7)),
    }


def test_syslog_header_and_structured_data_escaping(tmp_path: Path) -> None:
    finding = _events(tmp_path)[0]
    now = datetime(2026, 12, 2, 3, 4, 5, 678000, tzinfo=UTC)
    line = siem.syslog(finding, hostname="coll ector\n1", now=now, pid=42)
    assert line.startswith("<162>1 2026-12-02T03:04:05.678Z collector1 imagesweep 42 finding [")
    sd = line.split(" ", 6)[6]
    assert sd.startswith(f'[{siem.SD_ID} host="')
    host = sd[len(f'[{siem.SD_ID} host="') :]
    # every ", \ and ] of the host is escaped, so the element ends where we end it
    assert host.startswith(
        terminal(HOSTILE_HOST).replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")
        + '" class="HASH_MISMATCH" severity="critical"] CEF:0|'
    )
    assert "\n" not in line


def test_jsonl_holds_the_same_events_in_sentinel_columns(tmp_path: Path) -> None:
    batch = _events(tmp_path)
    out = tmp_path / "events.jsonl"
    assert siem.write_jsonl(out, batch) == 3
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    first = records[0]
    assert first["DeviceVendor"] == "imagesweep" and first["DeviceEventClassID"] == "HASH_MISMATCH"
    assert first["LogSeverity"] == 10 and first["DeviceAddress"] == "127.0.0.1"
    assert first["DeviceCustomString3"] == f"md5:{GOOD}"
    assert first["FileName"] == terminal(HOSTILE_IMAGE)
    assert [r["CEF"] for r in records] == [siem.cef(e) for e in batch]


@pytest.mark.parametrize(
    "url",
    ["http://h:1", "udp://h", "tcp://:514", "tls://h:99999", "udp://h:514/x", "syslog"],
)
def test_bad_targets_are_one_line_errors(url: str) -> None:
    with pytest.raises(ConfigError, match="--siem"):
        siem.parse_target(url)


def test_refused_connection_is_a_delivery_error(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = siem.deliver(siem.parse_target(f"tcp://127.0.0.1:{port}"), _events(tmp_path))
    assert not done.ok and done.sent == 0 and done.total == 3 and done.error


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A throw-away self-signed certificate for localhost (cryptography, under paramiko)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / "key.pem", directory / "cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def test_tls_delivery_is_octet_counted(tmp_path: Path) -> None:
    key, cert = _certificate(tmp_path)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received = bytearray()

    def serve() -> None:
        conn, _ = listener.accept()
        with server.wrap_socket(conn, server_side=True) as tls:
            while chunk := tls.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    batch = _events(tmp_path)
    done = siem.deliver(siem.parse_target(f"tls://localhost:{port}", cert), batch)
    thread.join(10)
    listener.close()
    assert done.ok, done
    frames, data = [], bytes(received)
    while data:
        length, _, rest = data.partition(b" ")
        frames.append(rest[: int(length)].decode("utf-8"))
        data = rest[int(length) :]
    assert [f.split("] ", 1)[1] for f in frames] == [siem.cef(e) for e in batch]
