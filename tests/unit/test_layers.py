"""The stages import only the shared kernel and the stages before them.

Derived from the source: every ``imagesweep`` import in every module under ``src/`` is read
with :mod:`ast` and its stage compared with the importing module's stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "imagesweep"
# Layer order. A top-level module that is not a stage package is the shared kernel (records,
# errors, sanitize, paths, releases, files); __main__ is the CLI's entry point.
ORDER = (
    "kernel",
    "platforms",
    "parse",
    "inventory",
    "collect",
    "baseline",
    "analyze",
    "report",
    "history",
    "sweep",
    "hunt",
    "lab",
    "cli",
)


def stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2:
        return "kernel"
    if parts[1] == "__main__":
        return "cli"
    return parts[1] if parts[1] in ORDER else "kernel"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def imports(path: Path) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "imagesweep":
                found += [(f"imagesweep.{a.name}", node.lineno) for a in node.names]
            elif node.module.startswith("imagesweep."):
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("imagesweep")]
    return found


def test_every_stage_package_is_in_the_layer_order() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages <= set(ORDER), f"add {sorted(packages - set(ORDER))} to ORDER"


def test_no_module_imports_a_later_stage() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        for imported, line in imports(path):
            if ORDER.index(stage(imported)) > ORDER.index(stage(me)):
                rel = path.relative_to(PACKAGE.parent)
                wrong.append(f"{rel}:{line}: {me} ({stage(me)}) imports {imported}")
    assert not wrong, "imports that run backwards:\n" + "\n".join(wrong)


def test_the_layer_test_sees_a_backward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from imagesweep.cli.app import main\n", encoding="utf-8")
    assert [stage(m) for m, _ in imports(bad)] == ["cli"]
    assert ORDER.index("cli") > ORDER.index(stage("imagesweep.parse.cisco_ios"))
