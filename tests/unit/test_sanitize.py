from __future__ import annotations

from imagesweep.sanitize import clean_output, csv_cell, safe_name, terminal


def test_clean_output_strips_escapes_and_controls() -> None:
    text = "R1#\x1b[2J\x1b[31mred\x1b[0m\r\nline\x07two\x1b]0;owned\x07 end\x00"
    cleaned, cut = clean_output(text, 1000)
    assert cleaned == "R1#red\nlinetwo end"
    assert cut is False


def test_clean_output_bounds_size() -> None:
    cleaned, cut = clean_output("x" * 5000, 100)
    assert (len(cleaned), cut) == (100, True)


def test_terminal_removes_cursor_tricks() -> None:
    assert terminal("ok\x1b[1A\x1b[2Kclean\r") == "okclean"


def test_csv_cells_never_start_a_formula() -> None:
    for bad in ('=HYPERLINK("x")', "+1", "-1+1", "@SUM(A1)", "\tx", "\r=1"):
        assert csv_cell(bad)[0] not in "=+-@\t\r"
    assert csv_cell("flash:x.bin") == "flash:x.bin"
    assert csv_cell(None) == ""


def test_safe_name_cannot_escape() -> None:
    assert "/" not in safe_name("../../etc/passwd")
    assert not safe_name("..").startswith(".")
    assert safe_name("verify /md5 flash:x.bin") == "verify_md5_flash_x.bin"
