"""The service's one clock: timezone-aware UTC, so tests can travel in time with time-machine."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
