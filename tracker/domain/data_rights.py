"""A resident's rights over their data: everything held about them, as one JSON document, and
erasure that leaves only an unlinkable tombstone.

Erasure deletes rows the database otherwise refuses to delete (append-only history): it writes an
``ErasurePermit`` for the resident, deletes, and removes the permit, all in the caller's one
transaction, so either everything goes or nothing does.
"""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain import about_me, consent, plan, throttle
from tracker.domain.catalogue import localise
from tracker.domain.locks import lock_residents
from tracker.models import (
    AboutMeEntry,
    AccessFlag,
    AccessLogEntry,
    AccountEvent,
    AccountEventAnswer,
    AreaProgress,
    CatalogueGoal,
    CatalogueStep,
    CheckIn,
    ConsentEvent,
    ConsentReceipt,
    ContactSettings,
    DirectoryService,
    ErasurePermit,
    ErasureTombstone,
    GoalNote,
    PasswordResetRequest,
    PlanEvent,
    PlanGoal,
    PlanStep,
    Provider,
    Referral,
    ReferralEvent,
    SavedService,
    SetupCode,
    SignInSession,
    TextMessage,
    User,
)

EXPORT_SCHEMA = "me-and-my-learning/export/1"
# Resident-facing consent states in the export (a refused request is, for them, "withdrawn").
EXPORT_STATES = {"refused": "withdrawn", "none": "withdrawn"}


def _iso(value):
    return value.isoformat() if value else None


def export(db: Session, resident: User) -> dict:
    """Everything held about the resident (the shape is documented in the README)."""
    language = resident.preferred_language or "en"
    goals = db.exec(select(PlanGoal, CatalogueGoal).join(CatalogueGoal, CatalogueGoal.id == PlanGoal.catalogue_goal_id, isouter=True)
                    .where(PlanGoal.resident_id == resident.id).order_by(PlanGoal.created_at)).all()
    goal_ids = [g.id for g, _ in goals]
    steps = db.exec(select(PlanStep, CatalogueStep).join(CatalogueStep, CatalogueStep.id == PlanStep.catalogue_step_id, isouter=True)
                    .where(col(PlanStep.goal_id).in_(goal_ids)).order_by(PlanStep.goal_id, PlanStep.position)).all() if goal_ids else []
    notes = db.exec(select(GoalNote, User.display_name).join(User, User.id == GoalNote.author_id)
                    .where(GoalNote.resident_id == resident.id).order_by(GoalNote.created_at)).all()
    steps_by_goal: dict[str, list] = {}
    for step, catalogue_step in steps:
        steps_by_goal.setdefault(step.goal_id, []).append({
            "text": step.own_text if step.own_text is not None else localise(catalogue_step.text, language),
            "done": step.done_at is not None, "done_at": _iso(step.done_at),
        })
    notes_by_goal: dict[str, list] = {}
    for note, author in notes:
        notes_by_goal.setdefault(note.goal_id, []).append({"text": note.text, "link": note.link, "author": author,
                                                            "at": _iso(note.created_at)})
    plan_goals = [
        {"id": goal.id, "area": goal.area, "title": goal.own_title if goal.own_title is not None else localise(catalogue.title, language),
         "catalogue_code": catalogue.code if catalogue else None, "custom": goal.own_title is not None, "status": goal.status,
         "target_date": _iso(goal.target_date), "created_at": _iso(goal.created_at), "removed_at": _iso(goal.removed_at),
         "steps": steps_by_goal.get(goal.id, []), "notes": notes_by_goal.get(goal.id, [])}
        for goal, catalogue in goals
    ]
    check_ins = [{"area": c.area, "stage": c.stage, "note": c.note, "at": _iso(c.made_at)} for c in plan.check_ins(db, resident.id)]
    events = db.exec(select(PlanEvent).where(PlanEvent.resident_id == resident.id).order_by(PlanEvent.id)).all()
    grants = consent.resident_grants(db, resident.id)
    looked = consent.last_looks(db, resident.id)
    consent_events = db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident.id).order_by(ConsentEvent.seq)).all()
    receipts = db.exec(select(ConsentReceipt).where(ConsentReceipt.resident_id == resident.id).order_by(ConsentReceipt.issued_at)).all()
    access = db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == resident.id).order_by(AccessLogEntry.seq)).all()
    flags = {f.entry_id: f for f in db.exec(select(AccessFlag).where(AccessFlag.resident_id == resident.id)).all()}
    account_events = db.exec(select(AccountEvent, AccountEventAnswer)
                             .join(AccountEventAnswer, AccountEventAnswer.event_id == AccountEvent.id, isouter=True)
                             .where(AccountEvent.resident_id == resident.id).order_by(AccountEvent.occurred_at, AccountEvent.id)).all()
    requests = db.exec(select(PasswordResetRequest).where(PasswordResetRequest.resident_id == resident.id)
                       .order_by(PasswordResetRequest.requested_at)).all()
    return {
        "schema": EXPORT_SCHEMA,
        "exported_at": _iso(utcnow()),
        "resident": {"username": resident.username, "display_name": resident.display_name, "email": resident.email,
                     "language": language, "created_at": _iso(resident.created_at)},
        "plan": {
            "goals": plan_goals,
            "check_ins": check_ins,
            "events": [{"at": _iso(e.occurred_at), "who": e.actor_name, "role": e.actor_role, "provider": e.actor_provider,
                        "kind": e.kind, "area": e.area, "goal_id": e.goal_id, "step_id": e.step_id,
                        "subject": e.subject, "before": e.before, "after": e.after} for e in events],
        },
        "consents": [
            {"provider": provider_name, "area": g.area, "modes": g.access_modes,
             "state": EXPORT_STATES.get(consent.status(g), consent.status(g)), "given_at": _iso(g.given_at),
             "valid_until": _iso(g.valid_until), "withdrawn_at": _iso(g.ended_at) if g.state == "withdrawn" else None,
             "notice_version": version, "last_accessed_at": _iso(looked.get(g.id))}
            for g, provider_name, version in grants
        ],
        "consent_events": [{name: _plain(getattr(e, name)) for name in type(e).model_fields} for e in consent_events],
        "receipts": [{"code": r.code, "issued_at": _iso(r.issued_at), "content": r.content, "mac": r.mac} for r in receipts],
        "access_log": [{"at": _iso(a.occurred_at), "who": a.actor_name, "role": a.actor_role, "provider": a.provider_name,
                        "area": a.area, "action": a.action, "purpose": a.purpose_code, "fields": a.fields_disclosed,
                        "seq": a.seq, "entry_hash": a.entry_hash,
                        "flagged": {"at": _iso(flags[a.id].flagged_at), "text": flags[a.id].text} if a.id in flags else None}
                       for a in access],
        "account_events": [{"at": _iso(e.occurred_at), "kind": e.kind, "who": e.actor_name, "role": e.actor_role,
                            "provider": e.actor_provider,
                            "your_answer": {"answer": answer.answer, "at": _iso(answer.answered_at)} if answer else None}
                           for e, answer in account_events],
        "password_reset_requests": [{"at": _iso(r.requested_at), "asked_by": r.requested_by_name, "provider": r.provider_name,
                                     "state": r.state, "answered_by": r.handled_by_name, "answered_at": _iso(r.handled_at)}
                                    for r in requests],
        "referrals": _referrals(db, resident.id),
        "saved_services": [{"service_id": saved.service_id, "name": name, "saved_at": _iso(saved.saved_at)}
                           for saved, name in db.exec(select(SavedService, DirectoryService.name)
                                                      .join(DirectoryService, DirectoryService.id == SavedService.service_id)
                                                      .where(SavedService.resident_id == resident.id)
                                                      .order_by(SavedService.saved_at)).all()],
        "how_we_contact_you": _contact(db, resident.id),
        "about_me": about_me.export(db, resident.id),
        "hash_chains": {
            "consent_events": {"length": len(consent_events), "head": consent_events[-1].event_hash if consent_events else None},
            "access_log": {"length": len(access), "head": access[-1].entry_hash if access else None},
        },
    }


def _contact(db: Session, resident_id: str) -> dict:
    """Their contact settings and every text sent or meant for them (never a confirmation code)."""
    settings = db.get(ContactSettings, resident_id)
    texts = db.exec(select(TextMessage).where(TextMessage.resident_id == resident_id).order_by(TextMessage.created_at)).all()
    return {
        "mobile": settings.mobile if settings else None,
        "mobile_confirmed_at": _iso(settings.mobile_confirmed_at) if settings else None,
        "number_waiting_to_be_confirmed": settings.pending_mobile if settings else None,
        "safe_to_text": settings.texts_safe if settings else False,
        "fuller_texts": settings.fuller_texts if settings else False,
        "texts_about": list(settings.kinds) if settings else [],
        "quiet_hours": [settings.quiet_from, settings.quiet_until] if settings and settings.quiet_from is not None else None,
        "check_in_reminder_weeks": settings.reminder_weeks if settings else None,
        "email_instead_of_texts_that_fail": settings.email_fallback if settings else False,
        "texts": [{"at": _iso(t.created_at), "about": t.kind, "by": t.channel, "to": t.to, "state": t.state, "notify_id": t.notify_id}
                  for t in texts],
    }


def _referrals(db: Session, resident_id: str) -> list[dict]:
    names = dict(db.exec(select(Provider.id, Provider.name)).all())
    events: dict[str, list] = {}
    for e in db.exec(select(ReferralEvent).where(ReferralEvent.resident_id == resident_id).order_by(ReferralEvent.id)).all():
        events.setdefault(e.referral_id, []).append({"at": _iso(e.occurred_at), "what": e.kind, "state": e.state, "who": e.actor_name,
                                                     "role": e.actor_role, "provider": e.actor_provider, "details": e.details})
    return [{"id": r.id, "to": names.get(r.to_provider_id), "service_id": r.service_id, "from": names.get(r.from_provider_id),
             "referred_by": r.referred_by_name, "areas": r.areas, "reason": r.reason, "offer": r.offer, "state": r.state,
             "decline_reason": r.decline_reason, "outcome": r.outcome, "referrer_sees_outcome": r.outcome_shared,
             "created_at": _iso(r.created_at), "sent_at": _iso(r.sent_at), "replied_at": _iso(r.replied_at),
             "history": events.get(r.id, [])}
            for r in db.exec(select(Referral).where(Referral.resident_id == resident_id).order_by(Referral.created_at)).all()]


def account_events(db: Session, resident_id: str) -> list[AccountEvent]:
    """Everything done to the account, oldest first (for the printable export and "My data")."""
    return db.exec(select(AccountEvent).where(AccountEvent.resident_id == resident_id)
                   .order_by(AccountEvent.occurred_at, AccountEvent.id)).all()


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def erase(db: Session, resident: User, initiated_by: str = "resident") -> ErasureTombstone:
    """Erase everything about a resident (not committed: the caller commits once). Under the
    resident's lock, so no look or change can slip in while the rows go."""
    rid = resident.id
    lock_residents(db, [rid])
    consent_head = db.exec(select(ConsentEvent.event_hash).where(ConsentEvent.resident_id == rid)
                           .order_by(col(ConsentEvent.seq).desc()).limit(1)).first()
    access_head = db.exec(select(AccessLogEntry.entry_hash).where(AccessLogEntry.resident_id == rid)
                          .order_by(col(AccessLogEntry.seq).desc()).limit(1)).first()

    def count(model) -> int:
        return db.exec(select(func.count()).select_from(model).where(model.resident_id == rid)).one()

    counts = {"plan_events": count(PlanEvent), "consent_events": count(ConsentEvent), "access_log_entries": count(AccessLogEntry)}
    db.add(ErasurePermit(resident_id=rid))
    db.flush()
    goal_ids = select(PlanGoal.id).where(PlanGoal.resident_id == rid)
    consent.erase_consents(db, rid)
    for statement in (
        delete(PlanEvent).where(PlanEvent.resident_id == rid),
        delete(GoalNote).where(GoalNote.resident_id == rid),
        delete(PlanStep).where(col(PlanStep.goal_id).in_(goal_ids)),
        delete(PlanGoal).where(PlanGoal.resident_id == rid),
        delete(CheckIn).where(CheckIn.resident_id == rid),
        delete(AccountEventAnswer).where(AccountEventAnswer.resident_id == rid),
        delete(AccountEvent).where(AccountEvent.resident_id == rid),
        delete(PasswordResetRequest).where((PasswordResetRequest.resident_id == rid) | (PasswordResetRequest.username == resident.username)),
        delete(AreaProgress).where(AreaProgress.resident_id == rid),
        delete(ReferralEvent).where(ReferralEvent.resident_id == rid),
        delete(Referral).where(Referral.resident_id == rid),
        delete(SavedService).where(SavedService.resident_id == rid),
        delete(TextMessage).where(TextMessage.resident_id == rid),
        delete(AboutMeEntry).where(AboutMeEntry.resident_id == rid),
        delete(ContactSettings).where(ContactSettings.resident_id == rid),
        delete(SetupCode).where(SetupCode.user_id == rid),
        delete(SignInSession).where(SignInSession.user_id == rid),
        delete(User).where(User.id == rid),
        delete(ErasurePermit).where(ErasurePermit.resident_id == rid),
    ):
        db.exec(statement)
    throttle.forget_keys(db, [rid, resident.username])
    db.expunge(resident)
    tombstone = ErasureTombstone(initiated_by=initiated_by, consent_chain_head=consent_head, access_chain_head=access_head,
                                 counts=counts)
    db.add(tombstone)
    db.flush()
    return tombstone
