"""What the directory's tests expect of the demo's services, worked out from the services
themselves rather than counted by hand: which a search should find, which residents are shown."""

from __future__ import annotations

from tracker.models import DirectoryService, ServiceStatus


def mentioning(services: list[DirectoryService], text: str) -> set[str]:
    """The ids of the services whose name or description, in any language, has ``text`` in it,
    in any case (what a search for it finds)."""
    text = text.lower()
    return {s.id for s in services if any(text in words.lower() for field in (s.name, s.description) for words in field.values())}


def shown_to_residents(services: list[DirectoryService]) -> list[DirectoryService]:
    """Those residents are shown: running, or closed for now (and tagged so); not the ones the
    feed lists as inactive, nor defunct ones."""
    return [s for s in services if s.status not in (ServiceStatus.INACTIVE, ServiceStatus.DEFUNCT)]


def named(services: list[DirectoryService], english: str) -> DirectoryService:
    return next(s for s in services if s.name["en"] == english)
