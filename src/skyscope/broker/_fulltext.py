"""Full text on PostgreSQL, matching SQLite's FTS5 (unicode61, diacritics removed) word for word.

Words are cut and folded here, in Python, exactly as FTS5's ``unicode61`` tokenizer does (runs of
letters and digits, lower case, accents dropped), and handed to PostgreSQL as literal
``tsvector`` / ``tsquery`` values, so no text-search configuration or server locale changes
what matches. FTS5 query syntax (words, ``"phrases"``, ``word*``, ``AND``/``OR``/``NOT``,
parentheses, ``+``) is translated operator for operator; both languages give NOT, then AND,
then OR the same precedence.
"""

from __future__ import annotations

import re
import unicodedata

from ._errors import QueryError

_WORD = re.compile(r"[^\W_]+")
_QUERY_TOKEN = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([()*+])|([^\s()*+"]+))')
_OPERATORS = {"AND": "&", "OR": "|", "NOT": "& !"}


def words(text: str) -> list[str]:
    """The words FTS5's unicode61 tokenizer (remove_diacritics 2) finds in ``text``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(plain.lower())


def to_tsvector(text: str) -> str:
    """``text`` as a literal tsvector: each word with its position (phrases need them)."""
    return " ".join(f"'{word}':{position}" for position, word in enumerate(words(text), 1))


def to_tsquery(query: str) -> str:
    """An FTS5 query as a literal tsquery (the query was already checked by FTS5 itself)."""
    parts: list[str] = []
    operand_before = glue = False
    for phrase, mark, bare in _lex(query):
        if bare in _OPERATORS or mark == "(":
            if mark == "(" and operand_before:
                parts.append("&")
            parts.append(_OPERATORS.get(bare or "", "("))
            operand_before = False
        elif mark == ")":
            parts.append(")")
            operand_before = True
        elif mark == "*":
            parts[-1] = parts[-1][:-1] + ":*)"
        elif mark == "+":
            glue = True
        else:
            inner = _phrase(phrase.replace('""', '"') if phrase is not None else bare or "", query)
            if glue:
                parts[-1] = f"{parts[-1][:-1]} <-> {inner})"
            else:
                parts.extend(["&", f"({inner})"] if operand_before else [f"({inner})"])
            operand_before, glue = True, False
    return " ".join(parts)


def _lex(query: str) -> list[tuple[str | None, str | None, str | None]]:
    """(quoted phrase, mark, bareword) triples, one per token of the query."""
    tokens = []
    position = 0
    query = query.rstrip()
    while position < len(query):
        found = _QUERY_TOKEN.match(query, position)
        if found is None or found.end() == position:
            raise QueryError(f"FullText({query!r}): cannot read it at {query[position:]!r}")
        tokens.append((found.group(1), found.group(2), found.group(3)))
        position = found.end()
    return tokens


def _phrase(text: str, query: str) -> str:
    """``'a' <-> 'b'``: the words of one phrase, next to each other."""
    found = words(text)
    if not found:
        raise QueryError(f"FullText({query!r}): {text!r} holds no word to look for")
    return " <-> ".join(f"'{word}'" for word in found)
