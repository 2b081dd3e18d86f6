"""The shapes of the ids in our addresses, in one place.

Every variable part of every route uses one of these converters (a test walks the URL map), so a
malformed id — too long, the wrong characters, a number too big for the database — is a plain 404
before any view or query runs, and views never check ids by hand.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter, IntegerConverter

from tracker.domain import about_me
from tracker.models import SHARED_PARTS, Area

DATABASE_INT_MAX = 2**31 - 1  # INTEGER on PostgreSQL


class UidConverter(BaseConverter):
    """People, organisations, consents: ``uuid4().hex`` (``tracker.models.new_id``)."""

    regex = "[0-9a-f]{32}"


class ShortIdConverter(BaseConverter):
    """Goals, steps, notes, suggestions: 12 URL-safe characters (``tracker.models.new_short_id``)."""

    regex = "[A-Za-z0-9_-]{12}"


class AreaConverter(BaseConverter):
    """One of the three areas of a plan."""

    regex = "(?:" + "|".join(area.value for area in Area) + ")"


class PartConverter(BaseConverter):
    """What can be shared: one of the three areas of a plan, or About me."""

    regex = "(?:" + "|".join(SHARED_PARTS) + ")"


class AboutMeFieldConverter(BaseConverter):
    """One question of About me (``tracker/domain/about_me/fields.toml``)."""

    regex = "(?:" + "|".join(about_me.field_codes()) + ")"


class ReceiptConverter(BaseConverter):
    """A consent receipt's code, ``MML-XXXX-XXXX-XXXX`` (any case: people type them)."""

    regex = "[Mm][Mm][Ll]-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}"


class RowIdConverter(IntegerConverter):
    """A numbered row (catalogue goals, access-log entries): 1 up to what the database can hold."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=DATABASE_INT_MAX)


class PublishedIdConverter(BaseConverter):
    """Open Referral ids: UUIDs, with their hyphens (as the feed publishes them) or without."""

    regex = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class LanguageConverter(BaseConverter):
    regex = "[a-z]{2}"


CONVERTERS = {
    "uid": UidConverter,
    "short_id": ShortIdConverter,
    "area": AreaConverter,
    "part": PartConverter,
    "about_field": AboutMeFieldConverter,
    "receipt": ReceiptConverter,
    "row_id": RowIdConverter,
    "lang": LanguageConverter,
    "published_id": PublishedIdConverter,
}


def init_app(app) -> None:
    app.url_map.converters.update(CONVERTERS)
