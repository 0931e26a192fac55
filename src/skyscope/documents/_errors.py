"""The one error skyscope's document layer raises for a document that breaks the model."""

from __future__ import annotations

from collections.abc import Sequence


class DocumentValidationError(ValueError):
    """A document, or a run's sequence of documents, breaks the event model.

    ``kind`` is the document kind ("event", "start"…) and ``problems`` the individual findings;
    the message names both, and where the document belongs (its stream or run) when known.
    """

    def __init__(self, kind: str, problems: str | Sequence[str], where: str = "") -> None:
        """Describe what is wrong with a ``kind`` document; ``where`` says which stream/run."""
        self.kind = kind
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        place = f" {where}" if where else ""
        super().__init__(f"invalid {kind} document{place}: " + "; ".join(self.problems))


def short_repr(value: object, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters, for error messages about arbitrary values."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
