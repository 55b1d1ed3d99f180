"""Parser cases as data: every ``cases/<platform>/<step>/<name>.yaml`` beside its raw output.

A case is real device output (``<name>.raw``, or the file its ``raw:`` names, relative to the
case) and what the platform's parser for that step must make of it: the typed records, as
plain mappings, or the ``ParseError`` it must raise. One parametrized test runs them all;
the meta-tests below keep the cases honest: each maps to a registered parser, each raw file
has a case, every plan step and every TextFSM template the parsers use (the project's own and
ntc-templates') is exercised by at least one case.

Case file keys (any other key is an error):

``source``   where the output comes from: ``corpus <path>``; a public repository's file
             (``github <owner>/<repo>@<commit> <path> (<licence>)``); or how a
             ``..._vendor_format.raw`` was written
``command``  what was typed; it must map to the case's step (``command_step``). Left out only
             for output of another step, fed to this one to show it is refused
``target``   the filesystem or path the collector passes ("" when none)
``raw``      another raw file, relative to the case (several cases of one output)
``note``     why the case exists, when its name does not say it
``records``  the records the step returns, in order: ``type`` (a class of
             ``imagesweep.records``) and every field that differs from its default
``error``    instead of ``records``: the output is not understood; the ParseError's message
             contains this text
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from imagesweep import records
from imagesweep.errors import ParseError
from imagesweep.parse import FAMILIES, command_step, parse_step, steps, textfsm_run

CASES = Path(__file__).resolve().parent / "cases"
PARSE_SRC = Path(records.__file__).resolve().parent / "parse"
KEYS = {"source", "command", "target", "raw", "note", "records", "error"}
# A real output copied from a public repository: which one, at which commit, which file.
PUBLIC_SOURCE = re.compile(r"^github [\w.\-]+/[\w.\-]+@[0-9a-f]{7,40} \S+ \([^()]+\)$")


@dataclasses.dataclass(frozen=True)
class Case:
    path: Path  # the .yaml file
    platform: str
    step: str
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return self.path.relative_to(CASES).with_suffix("").as_posix()

    @property
    def raw(self) -> Path:
        return (self.path.parent / self.spec.get("raw", self.path.stem + ".raw")).resolve()

    @property
    def target(self) -> str:
        return str(self.spec.get("target", ""))

    def text(self) -> str:
        return self.raw.read_text(encoding="utf-8")

    def run(self) -> object:
        return parse_step(self.platform, self.step, self.text(), self.target)


def load_cases() -> list[Case]:
    found = []
    for path in sorted(CASES.glob("*/*/*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(spec, dict), f"{path}: a case is a mapping of keys"
        found.append(Case(path, path.parent.parent.name, path.parent.name, spec))
    return found


ALL = load_cases()


# --- records as plain data ------------------------------------------------------------------


def plain(value: object, *, typed: bool = True) -> object:
    """Frozen dataclasses -> dicts (``type`` on top-level records), tuples -> lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {"type": type(value).__name__} if typed else {}
        for f in dataclasses.fields(value):
            out[f.name] = plain(getattr(value, f.name), typed=False)
        return out
    if isinstance(value, tuple | list):
        return [plain(v, typed=False) for v in value]
    return value


def expand(cls: type, given: dict[str, Any], where: str) -> dict[str, object]:
    """The full plain form of a ``cls`` record from its non-default fields."""
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(given) - names - {"type"}
    assert not unknown, f"{where}: {cls.__name__} has no field {sorted(unknown)}"
    hints = typing.get_type_hints(cls)
    out: dict[str, object] = {}
    for f in dataclasses.fields(cls):
        if f.name in given:
            value = given[f.name]
            inner = typing.get_args(hints[f.name])
            if inner and dataclasses.is_dataclass(inner[0]) and isinstance(inner[0], type):
                value = [expand(inner[0], item, f"{where}.{f.name}") for item in value]
            out[f.name] = value
        else:
            assert f.default is not dataclasses.MISSING, f"{where}: {f.name} is required"
            out[f.name] = plain(f.default, typed=False)
    return out


def expected_records(case: Case) -> list[object]:
    expected: list[object] = []
    for n, item in enumerate(case.spec["records"]):
        cls = getattr(records, str(item.get("type")), None)
        assert dataclasses.is_dataclass(cls) and isinstance(cls, type), (
            f"{case.id}: record {n} has no known type: {item.get('type')!r}"
        )
        expected.append({"type": cls.__name__, **expand(cls, item, f"{case.id}[{n}]")})
    return expected


def returned(result: object) -> list[object]:
    items = result if isinstance(result, tuple) else (result,)
    return [plain(item) for item in items]


# --- the one data-driven test ---------------------------------------------------------------


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_case(case: Case) -> None:
    assert set(case.spec) <= KEYS, f"unknown keys {sorted(set(case.spec) - KEYS)}"
    assert case.spec.get("source"), "a case says where its output comes from"
    assert ("records" in case.spec) != ("error" in case.spec), "records or error, not both"
    if "command" in case.spec:
        assert command_step(case.platform, case.spec["command"]) == case.step
    else:
        assert case.spec.get("note"), "a case without a command says why in a note"
    if "error" in case.spec:
        with pytest.raises(ParseError) as caught:
            case.run()
        assert str(case.spec["error"]) in str(caught.value)
    else:
        assert returned(case.run()) == expected_records(case)


# --- meta-tests: the cases cover the parsers --------------------------------------------------


def test_cases_map_to_registered_parsers() -> None:
    assert ALL, f"no cases under {CASES}"
    for case in ALL:
        assert case.platform in FAMILIES, f"{case.id}: no parser family for {case.platform}"
        assert case.step in steps(case.platform), f"{case.id}: {case.platform} has no {case.step}"
    stray = [p for p in CASES.rglob("*") if p.is_file() and p.suffix not in (".raw", ".yaml")]
    assert not stray, f"files that are neither case nor raw output: {stray}"
    assert not [p for p in CASES.rglob("*.yaml") if len(p.relative_to(CASES).parts) != 3]


def test_every_raw_output_has_a_case() -> None:
    used = {case.raw for case in ALL}
    for case in ALL:
        assert case.raw.is_file(), f"{case.id}: no raw output {case.raw}"
    orphans = sorted(p.relative_to(CASES) for p in CASES.rglob("*.raw") if p.resolve() not in used)
    assert not orphans, f"raw output without a case: {orphans}"


def test_every_step_of_every_family_has_a_case() -> None:
    covered = {(FAMILIES[c.platform].__name__, c.step) for c in ALL if "records" in c.spec}
    missing = [
        f"{module.__name__} {step}"
        for module in set(FAMILIES.values())
        for step in module.STEPS
        if (module.__name__, step) not in covered
    ]
    assert not missing, f"steps without a case that parses: {sorted(missing)}"


def _index_rows(template_dir: Path) -> list[tuple[str, str, str]]:
    """(template, platform, command regex) of each row of a clitable index."""
    table = textfsm_run.index_table(str(template_dir))
    return [(row["Template"], row["Platform"], row["Command"]) for row in table.index.index]


def _template_for(template_dir: Path, platform: str, command: str) -> str:
    index = textfsm_run.index_table(str(template_dir)).index
    row = index.GetRowMatch({"Platform": platform, "Command": command})
    assert row, f"no template for {platform} {command!r} in {template_dir}"
    return str(index.index[row]["Template"])


def _ntc_calls() -> Iterator[tuple[str, str, str]]:
    """(module file, platform, command) of every ntc-templates call in the parse package,
    read from the source: a call ``ntc(PLATFORM, "command", ...)`` whose platform is a string
    or a module-level string constant."""
    for path in sorted(PARSE_SRC.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name != "ntc" or path.name == "textfsm_run.py":
                continue
            platform, command = node.args[0], node.args[1]
            if isinstance(platform, ast.Name):
                assert platform.id in constants, f"{path.name}: ntc() platform {platform.id}"
                platform_value = constants[platform.id]
            else:
                assert isinstance(platform, ast.Constant), f"{path.name}: ntc() platform"
                platform_value = platform.value
            assert isinstance(command, ast.Constant), f"{path.name}: ntc() command"
            yield path.name, str(platform_value), str(command.value)


def test_every_template_is_exercised_by_a_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every template of ``templates/index`` and every ntc-templates template the parsers
    call yields records for at least one case (through the parser, as the audit runs it)."""
    own_dir, ntc_dir = textfsm_run.own_template_dir(), textfsm_run.ntc_template_dir()
    wanted = {("own", template) for template, _, _ in _index_rows(own_dir)}
    ntc_used = list(_ntc_calls())
    assert ntc_used, "the parsers call no ntc-templates template: is the source scan broken?"
    wanted |= {("ntc", _template_for(ntc_dir, p, c)) for _, p, c in ntc_used}
    for template in {t for kind, t in wanted if kind == "own"}:
        assert (own_dir / template).is_file(), f"templates/index names a missing {template}"

    exercised: set[tuple[str, str]] = set()
    run = textfsm_run._run

    def spy(template_dir: Path, platform: str, command: str, text: str) -> list[dict[str, Any]]:
        rows = run(template_dir, platform, command, text)
        if rows:
            kind = "own" if template_dir == own_dir else "ntc"
            exercised.add((kind, _template_for(template_dir, platform, command)))
        return rows

    monkeypatch.setattr(textfsm_run, "_run", spy)
    for case in ALL:
        with contextlib.suppress(ParseError):
            case.run()
    missing = sorted(f"{kind}: {template}" for kind, template in wanted - exercised)
    assert not missing, f"templates no case exercises: {missing}"
    unlisted = own_dir.glob("*.textfsm")
    assert {p.name for p in unlisted} == {t for k, t in wanted if k == "own"}, (
        "a template file that templates/index does not list"
    )


def test_every_corpus_case_of_a_parsed_command_is_a_case() -> None:
    """Each output of the shared corpus for a command some parser reads is pinned here."""
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    pinned = {str(c.spec["source"]).removeprefix("corpus ") for c in ALL}
    unpinned = []
    for entry in manifest:
        if entry["platform"] not in FAMILIES:
            continue
        try:
            command_step(entry["platform"], entry["command"].split(" (")[0])
        except ParseError:
            continue  # a command no parser reads (show software authenticity ...)
        if entry["raw"] not in pinned:
            unpinned.append(entry["raw"])
    assert not unpinned, f"corpus output without a case: {unpinned}"


def test_corpus_cases_are_verbatim_copies() -> None:
    """A case that names a corpus output holds exactly that output; one from a public
    repository names the repository, commit, file and licence; any other is a
    ``..._vendor_format.raw``."""
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    for case in ALL:
        source = str(case.spec["source"])
        if source.startswith("corpus "):
            original = corpus / source.removeprefix("corpus ")
            assert original.is_file(), f"{case.id}: no corpus file {original}"
            assert case.raw.read_bytes() == original.read_bytes(), f"{case.id}: not {original}"
        elif source.startswith("github "):
            assert PUBLIC_SOURCE.match(source), (
                f"{case.id}: a public source is 'github <owner>/<repo>@<commit> <path> "
                f"(<licence>)', not {source!r}"
            )
            assert not case.raw.name.endswith("_vendor_format.raw"), (
                f"{case.id}: a real output is not named ..._vendor_format.raw"
            )
        else:
            assert case.raw.name.endswith("_vendor_format.raw"), (
                f"{case.id}: output not from the corpus or a public repository is named "
                "..._vendor_format.raw"
            )
