"""The package's shape: subpackages by job, dependencies running one way, modules a newcomer
can read. Read from the source (every ``import``, including those inside functions)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "classifier"

# Lower layers never import higher ones; the same layer's subpackages do not import each other.
LAYERS = {
    "base": 0,  # classifier/*.py: codebook, paths, errors, fileio
    "ingest": 1,
    "model": 2, "store": 2,
    "evaluation": 3, "insight": 3,
    "jobs": 4,
    "app": 5, "api": 5,
    "cli": 6,
}
MAX_LINES = 450


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _layer_of(module: str) -> str:
    """'classifier.model.embed' -> 'model'; 'classifier.paths' -> 'base'."""
    parts = module.split(".")
    if len(parts) >= 2 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "base"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "classifier":  # from classifier import paths, app
                found |= {f"classifier.{a.name}" for a in node.names}
            elif node.module.startswith("classifier."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("classifier.")}
    return found


def _own_module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def test_every_subpackage_is_a_known_layer_and_says_what_it_is_for():
    for folder in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"):
        assert folder.name in LAYERS, f"{folder.name}: add it to LAYERS with its place"
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
        assert doc and doc.strip(), f"{folder.name}/__init__.py needs a one-line docstring"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_dependencies_run_one_way(path: Path):
    own = _own_module(path)
    if own == "classifier.__main__":
        return  # the entry point calls the CLI
    mine = _layer_of(own)
    for target in _imports(path):
        theirs = _layer_of(target)
        if theirs == mine:
            continue
        assert LAYERS[theirs] < LAYERS[mine], (
            f"{own} imports {target}: {mine} (layer {LAYERS[mine]}) may only import layers "
            f"below it, and {theirs} is layer {LAYERS[theirs]}")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_readable(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines; split it by job"
