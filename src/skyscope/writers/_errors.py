"""The error a frame writer raises when a frame cannot be written."""

from __future__ import annotations


class FrameWriterError(RuntimeError):
    """A frame writer failed: the message names the file and the cause (chained as ``__cause__``).

    Frames the writer acknowledged before the failure stay in the file, which stays readable.
    """
