"""Run one documentation page's Python blocks in order, in one namespace, as a reader would.

Blocks may ``await`` at top level (the pages are written for IPython's ``%autoawait`` and
notebooks): such a block is awaited on one event loop kept for the whole page, as IPython does.
A block without top-level ``await`` runs as a plain script (it may call ``asyncio.run``).

A page states what its reader has done before its first block in hidden comments:
``<!-- docs-test before: skyscope demo -->`` runs that command first, and
``<!-- docs-test namespace: shell -->`` starts from the names ``skyscope shell`` gives.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

BLOCK = re.compile(r"^```python\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)
BEFORE = re.compile(r"<!-- docs-test before: (.*?) -->")
SHELL_NAMESPACE = "<!-- docs-test namespace: shell -->"


def blocks(page: Path) -> list[str]:
    """The page's ``python`` blocks, in order."""
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def run_page(page: Path) -> None:
    """Execute every block of ``page`` in one namespace."""
    text = page.read_text(encoding="utf-8")
    for command in BEFORE.findall(text):
        print(f"--- {page.name}: {command}", flush=True)
        subprocess.run(shlex.split(command), check=True, stdout=subprocess.DEVNULL)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with asyncio.Runner() as runner:
        if SHELL_NAMESPACE in text:
            from skyscope.cli._shell import build_namespace

            namespace.update(runner.run(build_namespace()))
        for number, source in enumerate(blocks(page), start=1):
            print(f"--- {page.name} block {number}", flush=True)
            code = compile(
                source, f"{page}:block{number}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            )
            if code.co_flags & inspect.CO_COROUTINE:
                runner.run(eval(code, namespace))
            else:
                exec(code, namespace)


if __name__ == "__main__":
    run_page(Path(sys.argv[1]))
