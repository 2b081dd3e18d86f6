"""Building sharing situations for tests: notices, consents in every state, staff of providers."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tracker.clock import utcnow
from tracker.domain import consent
from tracker.models import DirectoryOrganisation, DirectoryService, Intake, Role

SECRET = "test secret key, not for production"
PURPOSES = [{"code": "plan_support", "text": {"en": "to help you with your plan", "pl": "aby pomóc w planie"}},
            {"code": "progress_review", "text": {"en": "to review your progress", "pl": "aby sprawdzić postępy"}}]
ALL_FIELDS = ["goal_titles", "goal_status", "step_status", "check_in_stages", "last_activity"]


def publish(db, provider, area, modes=("view", "record_progress"), fields=ALL_FIELDS, material=False, change=None):
    notice = consent.publish_notice(
        db, provider, area, access_modes=list(modes), fields_shown=list(fields), purposes=PURPOSES,
        summary={"en": f"{provider.name} sees your {area} goals.", "pl": f"{provider.name} widzi cele: {area}."},
        retention={"en": "We keep no copies.", "pl": "Nie przechowujemy kopii."}, material=material,
        change_summary=change, secret_key=SECRET,
    )
    db.commit()
    return notice


class Sharing:
    """Two providers (A: Melton Adult Learning, B: Melton Jobs Support) with notices in every area,
    a tutor and a member of staff at each, and residents in whatever situation a test needs."""

    def __init__(self, db, people):
        self.db, self.people = db, people
        self.a = people.provider("Melton Adult Learning")
        self.b = people.provider("Melton Jobs Support")
        for provider in (self.a, self.b):
            for area in ("digital", "financial", "job_readiness"):
                publish(db, provider, area)
        self.tutor_a = people.user("tutor.a", role=Role.TUTOR, provider=self.a.name, display_name="Jo Bennett")
        self.staff_a = people.user("staff.a", role=Role.PROVIDER_STAFF, provider=self.a.name, display_name="Sam Staff")
        self.tutor_b = people.user("tutor.b", role=Role.TUTOR, provider=self.b.name, display_name="Priya Shah")
        self.admin = people.user("the.admin", role=Role.ADMIN, display_name="Ada Admin")

    def notice(self, provider, area):
        return consent.current_notice(self.db, provider.id, area)

    def give(self, resident, provider, area, modes=("view",), months=12, actor=None):
        actor = actor or consent.ConsentActor.resident(resident)
        with consent.Change(self.db, resident.id, actor, SECRET) as change:
            grant = change.give(self.notice(provider, area), list(modes), months)
        self.db.commit()
        return grant, change.receipt

    def act(self, resident, action, grant):
        with consent.Change(self.db, resident.id, consent.ConsentActor.resident(resident), SECRET) as change:
            getattr(change, action)(grant)
        self.db.commit()
        return change.receipt

    def resident_in(self, situation: str, username: str, area="digital"):
        """A resident whose consent for provider A, ``area``, is in ``situation``."""
        resident = self.people.user(username)
        if situation == "none":
            return resident
        if situation == "other_area":
            self.give(resident, self.a, "financial" if area != "financial" else "digital")
            return resident
        if situation == "other_provider":
            self.give(resident, self.b, area, ("view", "record_progress"))
            return resident
        if situation == "pending":
            self.give(resident, self.a, area, actor=consent.ConsentActor.assisting(self.tutor_a, self.a))
            return resident
        modes = ("view", "record_progress") if situation in ("record", "own") else ("view",)
        if situation == "expired":
            with time_machine.travel(utcnow() - timedelta(days=120), tick=False):
                self.give(resident, self.a, area, modes, months=3)
            return resident
        grant, _ = self.give(resident, self.a, area, modes)
        if situation in ("paused", "withdrawn"):
            self.act(resident, "pause" if situation == "paused" else "withdraw", grant)
        if situation == "on_hold":
            publish(self.db, self.a, area, fields=["goal_titles"], material=True, change={"en": "Less", "pl": "Mniej"})
        return resident

    def service(self, provider, name="CV and job search drop-in", intake=Intake.TAKING_REFERRALS, **kwargs) -> DirectoryService:
        """A service of a member organisation in the directory (the organisation is added the first time)."""
        if self.db.get(DirectoryOrganisation, provider.id) is None:
            self.db.add(DirectoryOrganisation(id=provider.id, provider_id=provider.id))
            self.db.flush()
        service = DirectoryService(organisation_id=provider.id, name={"en": name, "pl": f"{name} (po polsku)"},
                                   description={"en": f"{name}, in Melton."}, intake=str(intake), **kwargs)
        self.db.add(service)
        self.db.commit()
        return service
