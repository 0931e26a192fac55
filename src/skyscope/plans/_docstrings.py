"""Read a plan's docstring: its description, and each parameter's from the Parameters section.

Both numpydoc (``Parameters`` underlined with dashes, ``name : type`` then an indented text)
and Google style (``Args:`` then ``name (type): text``) are understood, which is what bluesky's
plans and the queue server use.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_NUMPY_SECTION = re.compile(r"^(\w[\w ]*)\n-{3,}$", re.MULTILINE)
_GOOGLE_SECTION = re.compile(
    r"^(Args|Arguments|Parameters|Params|Keyword Args|Returns|Yields|Raises|Examples?|Notes?"
    r"|See Also):\s*$",
    re.MULTILINE,
)
_PARAMETER_SECTIONS = {
    "parameters",
    "args",
    "arguments",
    "params",
    "keyword args",
    "other parameters",
}
_NUMPY_ITEM = re.compile(r"^(\*{0,2}\w+)\s*(?::.*)?$")
_GOOGLE_ITEM = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


@dataclass(frozen=True)
class Docstring:
    """A docstring split into its description and its parameters' descriptions."""

    description: str = ""
    parameters: dict[str, str] = field(default_factory=dict)


def parse_docstring(text: str | None) -> Docstring:
    """Split ``text`` (a raw ``__doc__``) into the description and parameter descriptions."""
    if not text:
        return Docstring()
    doc = inspect.cleandoc(text)
    sections = _sections(doc)
    if not sections:
        return Docstring(doc.strip())
    description = doc[: sections[0][1]].strip()
    parameters: dict[str, str] = {}
    for index, (name, _start, body_start, numpy) in enumerate(sections):
        end = sections[index + 1][1] if index + 1 < len(sections) else len(doc)
        if name.lower() in _PARAMETER_SECTIONS:
            body = doc[body_start:end]
            parameters.update(_numpy_items(body) if numpy else _google_items(body))
    return Docstring(description, parameters)


def _sections(doc: str) -> list[tuple[str, int, int, bool]]:
    """(name, where the heading starts, where its body starts, numpy style?) of each section."""
    found = [(m.group(1), m.start(), m.end(), True) for m in _NUMPY_SECTION.finditer(doc)]
    found += [(m.group(1), m.start(), m.end(), False) for m in _GOOGLE_SECTION.finditer(doc)]
    return sorted(found, key=lambda s: s[1])


def _numpy_items(body: str) -> dict[str, str]:
    """``name : type`` lines at the left margin, each followed by its indented description."""
    items: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.splitlines():
        if line and not line[0].isspace():
            match = _NUMPY_ITEM.match(line.strip())
            current = items.setdefault(match.group(1).lstrip("*"), []) if match else None
        elif current is not None and line.strip():
            current.append(line.strip())
    return {name: " ".join(lines) for name, lines in items.items()}


def _google_items(body: str) -> dict[str, str]:
    """``name (type): text`` lines, one indent in, with continuation lines indented further."""
    items: dict[str, list[str]] = {}
    current: list[str] | None = None
    margin: int | None = None
    for line in body.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if margin is None:
            margin = indent
        match = _GOOGLE_ITEM.match(line.strip()) if indent == margin else None
        if match:
            current = items.setdefault(match.group(1).lstrip("*"), [])
            if match.group(2):
                current.append(match.group(2).strip())
        elif current is not None:
            current.append(line.strip())
    return {name: " ".join(lines) for name, lines in items.items()}
