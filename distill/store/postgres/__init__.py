"""The PostgreSQL engine behind the same `Store` seam (see docs/architecture.md)."""

from .store import PostgresStore

__all__ = ["PostgresStore"]
