"""`imagesweep known-good import-kgv`: a KGV's whole-file digests become catalogue rows."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from imagesweep.baseline.catalogue import load
from imagesweep.cli import main

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "bootintegrity"


def test_import_signed_kgv(tmp_path: Path) -> None:
    catalogue = tmp_path / "known-good.csv"
    kgv = CORPUS / "examples" / "example_kgv.json"
    result = CliRunner().invoke(
        main, ["known-good", "import-kgv", str(kgv), "--catalogue", str(catalogue)]
    )
    assert result.exit_code == 0, result.output
    assert "signed by" in result.output and "KnownGoodValuesPROD" in result.output
    cat = load(catalogue)
    entry = cat.get("isr4400-universalk9_npe.16.02.01.SPA.bin")
    assert entry is not None
    assert entry.md5 == "64a17685181b6c590bb561afd5a43b2c"
    assert entry.source == "kgv:example_kgv.json (signed)"
    again = CliRunner().invoke(
        main, ["known-good", "import-kgv", str(kgv), "--catalogue", str(catalogue)]
    )
    assert again.exit_code == 0 and "0 row(s) added" in again.output


def test_import_names_the_timestamp_and_unsigned(tmp_path: Path) -> None:
    catalogue = tmp_path / "kg.csv"
    kgv = CORPUS / "device-output" / "v2" / "sandbox.kgv.json"
    result = CliRunner().invoke(
        main, ["known-good", "import-kgv", str(kgv), "--catalogue", str(catalogue)]
    )
    assert result.exit_code == 0, result.output
    assert "UNSIGNED" in result.output
    sources = {e.source for e in load(catalogue).entries}
    assert sources == {"kgv:sandbox.kgv.json@2021.12.01.07.29.38 (unsigned)"}
    # packages inside an osimage record are imported too
    assert load(catalogue).get("asr1000rpx86-webui.2021-11-30_21.28_bbuffam.SSA.pkg")


def test_a_kgv_whose_signature_fails_is_refused(tmp_path: Path) -> None:
    kgv = tmp_path / "kgv.json"
    shutil.copy(CORPUS / "examples" / "example_kgv_updated_unsigned.json", kgv)
    shutil.copy(CORPUS / "examples" / "example_kgv.json.signature", tmp_path / "kgv.json.signature")
    result = CliRunner().invoke(
        main, ["known-good", "import-kgv", str(kgv), "--catalogue", str(tmp_path / "c.csv")]
    )
    assert result.exit_code == 2
    assert "does not verify" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "c.csv").exists()
