"""The service's one clock: timezone-aware UTC. Tests travel in time with time-machine; the demo
data builder uses ``pretend_now`` to write a history that happened over several weeks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

# The same thing again this soon, from the same person, is a double-tapped button or a form sent
# twice on a slow connection, not a second one: it is done once (notes, check-ins, goals, consent
# changes, new accounts).
REPEAT_WINDOW = timedelta(seconds=60)

_pretend: ContextVar[datetime | None] = ContextVar("pretend_now", default=None)


def utcnow() -> datetime:
    return _pretend.get() or datetime.now(UTC)


@contextmanager
def pretend_now(at: datetime) -> Iterator[None]:
    """Within this block, ``utcnow()`` is ``at`` (demo and benchmark data only)."""
    token = _pretend.set(at)
    try:
        yield
    finally:
        _pretend.reset(token)
