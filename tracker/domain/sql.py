"""SQL written per database where the portable form is slow on one of them."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Boolean, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class PerDatabase(ColumnElement):
    """A condition written ``usual`` on every database but ``dialect`` ("postgresql", "sqlite"),
    which gets ``instead``: the same rows either way, in the form that database's index answers."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition already: SQLite must not get "… = 1", which no index answers
    _traverse_internals: ClassVar = [("usual", InternalTraversal.dp_clauseelement),
                                     ("instead", InternalTraversal.dp_clauseelement),
                                     ("dialect", InternalTraversal.dp_string)]

    def __init__(self, usual, dialect: str, instead):
        self.usual, self.dialect, self.instead = usual, dialect, instead


@compiles(PerDatabase)
def _written_for(element, compiler, **kw):
    return compiler.process(element.instead if compiler.dialect.name == element.dialect else element.usual, **kw)


def one_of(column, ids) -> PerDatabase:
    """``column`` is one of ``ids`` (often 500 or more at a time in an export).

    SQLite gets ``IN (?, ?, …)``. PostgreSQL gets ``= ANY(%(ids)s)`` with the whole list as one
    array parameter: written ``IN (…)``, 500 ids are 500 parameters that SQLAlchemy renders with a
    cast each and psycopg splits out of the text again, about a millisecond per statement
    (docs/benchmarks.md, "The export"); as one array it is one parameter, and the statement's text
    is the same whatever the number of ids. Both take the list as one bound value: SQLAlchemy would
    otherwise look at each id to see what it is."""
    ids = list(ids)
    return PerDatabase(column.in_(bindparam(None, ids, type_=column.type, expanding=True, unique=True)), "postgresql",
                       column == any_(bindparam(None, ids, type_=ARRAY(column.type), unique=True)))


def one_of_named(column, key: str) -> PerDatabase:
    """``one_of`` for a statement built once and run many times: the ids come with each run, as
    the parameter ``key`` (a list). Building a list's statements anew each request had cost a
    staff page more than running them (docs/benchmarks.md, "Staff lists, built once")."""
    return PerDatabase(column.in_(bindparam(key, type_=column.type, expanding=True)), "postgresql",
                       column == any_(bindparam(key, type_=ARRAY(column.type))))
