"""Every catalog test here runs on both backends unless it says why it is SQLite-only."""

from __future__ import annotations

from _catalog_backends import backend, catalog_location, new_catalog, postgres

__all__ = ["backend", "catalog_location", "new_catalog", "postgres"]
