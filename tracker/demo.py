"""Demonstration data: three Melton providers, staff and five residents (password demo-pass-2026)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from . import accounts
from .models import Provider, ProviderKind, Role, SiteSetting, User

DEMO_PASSWORD = "demo-pass-2026"

PROVIDERS = [
    ("Melton Adult Learning", ProviderKind.ADULT_LEARNING, "Free courses for adults: computers, English, maths and more, at the library and the Learning Hub."),
    ("Melton Jobs Support", ProviderKind.EMPLOYMENT_SUPPORT, "Help to find work: CVs, job search, applications and interview practice."),
    ("Melton Money Advice", ProviderKind.MONEY_ADVICE, "Free, confidential help with budgeting, bills, benefits and debt."),
]

# username, display name, role, provider name, preferred language
PEOPLE = [
    ("admin", "Sam Patel", Role.ADMIN, None, "en"),
    ("tutor.learning", "Jo Bennett", Role.TUTOR, "Melton Adult Learning", "en"),
    ("tutor.jobs", "Priya Shah", Role.TUTOR, "Melton Jobs Support", "en"),
    ("staff.jobs", "Tom Walker", Role.PROVIDER_STAFF, "Melton Jobs Support", "en"),
    ("staff.money", "Grace Okafor", Role.PROVIDER_STAFF, "Melton Money Advice", "en"),
    ("amira", "Amira Hassan", Role.RESIDENT, None, "en"),
    ("ben", "Ben Carter", Role.RESIDENT, None, "en"),
    ("chloe", "Chloe Evans", Role.RESIDENT, None, "en"),
    ("dawid", "Dawid Kowalski", Role.RESIDENT, None, "pl"),
    ("ella", "Ella Thompson", Role.RESIDENT, None, "en"),
]


class DatabaseNotEmpty(RuntimeError):
    pass


def load_demo(db: Session) -> str:
    """Add the demo data (not committed). Refuses a database that already has people or providers."""
    if db.exec(select(func.count()).select_from(User)).one() or db.exec(select(func.count()).select_from(Provider)).one():
        raise DatabaseNotEmpty()
    providers = {}
    for name, kind, description in PROVIDERS:
        providers[name] = Provider(name=name, kind=str(kind), description=description)
        db.add(providers[name])
    db.flush()
    for username, display_name, role, provider_name, language in PEOPLE:
        accounts.create_user(
            db,
            username=username,
            display_name=display_name,
            password=DEMO_PASSWORD,
            role=role,
            provider=providers.get(provider_name),
            preferred_language=language,
        )
    db.add(SiteSetting(key=accounts.DEMO_DATA_KEY, value="1"))
    return f"Loaded demo data: {len(PROVIDERS)} providers, {len(PEOPLE)} accounts (password {DEMO_PASSWORD})."
