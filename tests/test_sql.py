"""SQL written per database (tracker/domain/sql.py)."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlmodel import Session

from tests.conftest import People
from tracker.database import make_engine
from tracker.domain.sql import one_of, one_of_named
from tracker.models import User


def test_one_of_finds_exactly_the_listed_ids_and_its_sql_does_not_grow_with_them(any_database_url):
    """An export asks about thousands of residents at a time: each id must count once, an id
    nobody has must find nobody, and on PostgreSQL the statement is the same text for 1 id as for
    3,000 (one array parameter), where SQLite lists them."""
    engine = make_engine(any_database_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        with Session(engine) as db:
            people = People(db)
            ids = [people.user(f"resident.{n}").id for n in range(5)]
            db.commit()
            statements.clear()
            built_once = select(User.id).where(one_of_named(User.id, "wanted"))  # the same statement, run with each list
            for wanted in ([], ids[:1], [*ids[1:4], "not-an-id", ids[1]], ids + [f"{n:032x}" for n in range(3000)]):
                found = db.exec(select(User.id).where(one_of(User.id, wanted))).scalars().all()
                assert sorted(found) == sorted(set(wanted) & set(ids))
                found = db.connection().execute(built_once, {"wanted": wanted}).scalars().all()
                assert sorted(found) == sorted(set(wanted) & set(ids))
    finally:
        engine.dispose()
    texts = [s for s in statements if "user_account" in s]
    assert len(texts) == 8
    if engine.dialect.name == "postgresql":
        assert len(set(texts[0::2])) == len(set(texts[1::2])) == 1 and "ANY" in texts[0] and "ANY" in texts[1]
    else:
        assert len(texts[-1]) > len(texts[3]) and len(texts[-2]) > len(texts[2])
