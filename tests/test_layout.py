"""The suite's own layout: test modules need unique names (the test folders are not packages)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path


def test_test_module_names_are_unique() -> None:
    names = Counter(path.name for path in Path(__file__).parent.rglob("test_*.py"))
    clashes = sorted(name for name, count in names.items() if count > 1)
    assert not clashes, f"test modules share a name, pytest cannot import both: {clashes}"


def _imported_modules(path: Path, package: list[str]) -> list[str]:
    """Every ``skyscope`` module (and imported name) a source file imports, dotted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = [*base, *(node.module.split(".") if node.module else [])]
            found += [".".join([*module, alias.name]) for alias in node.names]
    return [name for name in found if name.startswith("skyscope.")]


def test_no_package_imports_another_packages_private_modules() -> None:
    """``skyscope.X`` may use its own ``_private`` modules; others go through ``__init__``."""
    src = Path(__file__).parents[1] / "src"
    offences = []
    for path in sorted((src / "skyscope").rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)  # skyscope, package, ..., module
        own = parts[1] if len(parts) > 2 else None
        for name in _imported_modules(path, parts[:-1]):
            segments = name.split(".")
            target = segments[1]
            private = any(s.startswith("_") and not s.startswith("__") for s in segments[2:])
            if target != own and not target.startswith("_") and private:
                offences.append(f"{path.relative_to(src)} imports {name}")
    assert not offences, "\n".join(offences)
