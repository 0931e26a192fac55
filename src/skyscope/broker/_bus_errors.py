"""What goes wrong on the document bus, named so a run's result and the CLI can say it."""

from __future__ import annotations

from ._errors import CatalogError


class BusError(CatalogError):
    """The document bus (NATS JetStream) refused a setting or could not be used."""


class BusPublishError(BusError):
    """A run's documents were not all acknowledged by the bus when its stop was emitted.

    They are not lost: they wait in the publisher's memory or spool and are published, in
    order, when the server answers again.
    """
