"""SQL written per database where the portable form is slow on one of them."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Boolean, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class one_of(ColumnElement):
    """``column`` is one of ``ids`` (a list of text ids, often 500 at a time in an export).

    SQLite gets ``IN (?, ?, …)``. PostgreSQL gets ``= ANY(%(ids)s)`` with the whole list as one
    array parameter: written ``IN (…)``, 500 ids are 500 parameters that SQLAlchemy renders with a
    cast each and psycopg splits out of the text again, about a millisecond per statement
    (docs/benchmarks.md, "The export"); as one array it is one parameter, and the statement's text
    is the same whatever the number of ids."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition already: SQLite must not get "… = 1", which no index answers
    _traverse_internals: ClassVar = [("listed", InternalTraversal.dp_clauseelement),
                                     ("array", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, ids):
        ids = list(ids)
        # Both as one bound list: SQLAlchemy would otherwise look at each id to see what it is.
        self.listed = column.in_(bindparam(None, ids, type_=column.type, expanding=True, unique=True))
        self.array = column == any_(bindparam(None, ids, type_=ARRAY(column.type), unique=True))


@compiles(one_of)
def _listed(element, compiler, **kw):
    return compiler.process(element.listed, **kw)


@compiles(one_of, "postgresql")
def _as_array(element, compiler, **kw):
    return compiler.process(element.array, **kw)
