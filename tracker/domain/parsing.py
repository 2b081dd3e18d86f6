"""Reading numbers people (or forgers) type into forms and addresses."""

from __future__ import annotations

import re


def plain_number(value, digits: int) -> int | None:
    """A whole number written with 1 to ``digits`` ASCII digits, else None. (``str.isdigit`` says
    yes to "²" and "٣", which ``int`` then refuses or reads unexpectedly.)"""
    if isinstance(value, str) and re.fullmatch(rf"[0-9]{{1,{digits}}}", value):
        return int(value)
    return None


def page_number(value) -> int:
    """A page number from the address: anything odd is the first page."""
    number = plain_number(value, 6)
    return number if number else 1
