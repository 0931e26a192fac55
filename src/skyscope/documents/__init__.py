"""skyscope.documents: the event-model documents as typed, validated plain dicts."""

from ._data_key import DataKey, Dtype, Limits, LimitsRange, Reading, ReadingDict

__all__ = ["DataKey", "Dtype", "Limits", "LimitsRange", "Reading", "ReadingDict"]
