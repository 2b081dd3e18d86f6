"""The access matrix: every route × every role × every resident situation, with the expected answer.

A route that is not in the matrix fails the suite, so nothing new can slip past. Staff pages that
show a resident's data answer 404 — the same page as for a resident who does not exist — unless
the resident has an active consent for that staff member's provider and area.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD, make_app
from tests.sharing_helpers import SECRET, Sharing, publish
from tracker.domain import consent, plan
from tracker.models import CatalogueGoal, ConsentEvent, Role

# tutor_c works for an organisation the admins have deactivated; the admin also works at A (an
# admin with a provider never passes the consent decision).
ROLES = ("anonymous", "resident", "tutor_a", "staff_a", "tutor_b", "tutor_c", "admin")
STAFF = ("tutor_a", "staff_a", "tutor_b", "tutor_c", "admin")
TUTORS = ["tutor_a", "tutor_b", "tutor_c"]

# Each resident situation, the area it concerns, and who may (everyone else: 404):
# open that area; see the resident at all (any shared area); record progress in that area.
SITUATIONS = {
    "consented": ("digital", {"tutor_a", "staff_a"}, {"tutor_a", "staff_a"}, set()),
    "record": ("digital", {"tutor_a", "staff_a"}, {"tutor_a", "staff_a"}, {"tutor_a"}),
    "other_area": ("digital", set(), {"tutor_a", "staff_a"}, set()),
    "other_provider": ("digital", {"tutor_b"}, {"tutor_b"}, {"tutor_b"}),
    "none": ("digital", set(), set(), set()),
    "pending": ("digital", set(), set(), set()),
    "paused": ("digital", set(), set(), set()),
    "withdrawn": ("digital", set(), set(), set()),
    "expired": ("digital", set(), set(), set()),
    "on_hold": ("job_readiness", set(), set(), set()),
    # Shared, but nobody may see it: the resident's account is deactivated, or the organisation is.
    "resident_deactivated": ("digital", set(), set(), set()),
    "provider_deactivated": ("digital", set(), set(), set()),
}


class World:
    """One database with the subject resident (signed in as "resident"), staff, and one resident per
    situation; plus ids for every URL parameter."""

    def __init__(self, app, db, people):
        self.app = app
        self.sharing = Sharing(db, people)
        self.subject = people.user("subject", display_name="Sam Subject")
        actor = plan.Actor.of(self.subject)
        goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
        self.goal = plan.add_catalogue_goals(db, self.subject.id, [goal_id], actor)[0]
        db.commit()
        grant, receipt = self.sharing.give(self.subject, self.sharing.a, "digital")
        self.grant, self.receipt = grant, receipt
        [decision] = consent.open_record(db, self.sharing.tutor_a, self.subject.id, area="digital")
        from tracker.models import AccessAction

        consent.record_access(db, self.sharing.tutor_a, self.sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
        db.commit()
        self.entry_id = db.exec(select(__import__("tracker.models", fromlist=["AccessLogEntry"]).AccessLogEntry.id)).first()
        self.c = people.provider("Melton Money Advice")
        for area in ("digital", "financial", "job_readiness"):
            publish(db, self.c, area)
        self.tutor_c = people.user("tutor.c", role=Role.TUTOR, provider=self.c.name, display_name="Cal Closed")
        self.residents = {name: self._resident_in(db, people, name, spec[0]) for name, spec in SITUATIONS.items()}
        self.c.active = False  # deactivated after its residents said yes
        db.add(self.c)
        # The admin works at A too, where the consented residents share.
        self.sharing.admin.provider_id = self.sharing.a.id
        db.add(self.sharing.admin)
        db.commit()
        # A goal in each resident's situation area, for the routes that record progress on one.
        self.goals = {r.id: plan.add_own_goal(db, r.id, SITUATIONS[n][0], "A goal", ["I can do it"], plan.Actor.of(r)).id
                      for n, r in self.residents.items()}
        self.goals[self.subject.id] = self.goal.id
        self.goals["0" * 32] = "0" * 12
        db.commit()
        # An assisted consent recorded by tutor_a (for provider B, so it counts at once).
        assisted = people.user("res.assisted")
        with consent.Change(db, assisted.id, consent.ConsentActor.assisting(self.sharing.tutor_a, self.sharing.a), SECRET) as change:
            change.give(self.sharing.notice(self.sharing.b, "financial"), ["view"], 12)
        db.commit()
        self.assisted_code = change.receipt.code
        # A service in the directory (public: the same for everyone, signed in or not).
        from tracker.models import DirectoryOrganisation, DirectoryService

        db.add(DirectoryOrganisation(id=self.sharing.a.id, provider_id=self.sharing.a.id))
        db.flush()
        service = DirectoryService(organisation_id=self.sharing.a.id, name={"en": "Computer class", "pl": "Kurs komputerowy"})
        db.add(service)
        db.commit()
        self.service_id = service.id
        # Services that take referrals (B's, and the library's, where neither A nor B works), and a
        # referral tutor_a made for res.referred that she agreed to send to B (sharing digital).
        library = people.provider("Melton Library")
        for area in ("digital", "financial", "job_readiness"):
            publish(db, library, area)
        self.b_service_id = self.sharing.service(self.sharing.b, "CV drop-in").id
        self.library_service_id = self.sharing.service(library, "Digital help").id
        self.referred = self.sharing.resident_in("consented", "res.referred")
        self.referral_id = self.refer(db, self.referred, agree=True).id
        self.users = {"resident": "subject", "tutor_a": "tutor.a", "staff_a": "staff.a", "tutor_b": "tutor.b", "tutor_c": "tutor.c",
                      "admin": "the.admin"}

    def refer(self, db, resident, agree: bool, areas=("digital",)):
        """tutor_a's referral of ``resident`` to B's CV drop-in; sent if ``agree``."""
        from tracker.domain import referrals

        tutor = self.sharing.tutor_a
        actor = consent.ConsentActor(tutor.id, tutor.role, tutor.first_name, self.sharing.a.id, self.sharing.a.name)
        referral = referrals.refer(db, resident.id, self.b_service_id, list(areas), "Why", "Offer", tutor, actor)
        db.flush()
        if agree:
            referrals.agree(db, resident.id, referral.id, list(areas), False, consent.ConsentActor.resident(resident), SECRET)
        db.commit()
        return referral

    def _resident_in(self, db, people, situation: str, area: str):
        username = f"res.{situation.replace('_', '')}"
        if situation == "resident_deactivated":
            resident = self.sharing.resident_in("record", username, area)
            resident.active = False
            db.add(resident)
            db.commit()
            return resident
        if situation == "provider_deactivated":
            resident = people.user(username)
            with consent.Change(db, resident.id, consent.ConsentActor.resident(resident), SECRET) as change:
                change.give(consent.current_notice(db, self.c.id, area), ["view", "record_progress"], 12)
            db.commit()
            return resident
        return self.sharing.resident_in(situation, username, area)

    def client(self, role):
        client = self.app.test_client()
        if role != "anonymous":
            response = client.post("/login", data={"username": self.users[role], "password": PASSWORD})
            assert response.status_code == 303, role
        return client


def _resident_page(expected_for_resident):
    """A page of the resident's own: theirs to use; staff 403; anonymous sent to sign in."""
    return {"anonymous": 303, "resident": expected_for_resident, **{r: 403 for r in STAFF}}


def _staff_page(roles, expected=200):
    allowed = set(roles)
    return {"anonymous": 303, **{r: (expected if r in allowed else 403) for r in ("resident", *STAFF)}}


def matrix(w: World) -> dict[tuple[str, str], tuple[str, dict]]:
    """(endpoint, method) → (url, {role: expected status}). Data for POSTs comes from POST_DATA."""
    goal, code, provider = w.goal.id, w.receipt.code, w.sharing.a.id
    signed_in_redirect = {"anonymous": 200, **{r: 303 for r in ("resident", *STAFF)}}
    everyone = {r: 200 for r in ROLES}
    return {
        ("public.index", "GET"): ("/", signed_in_redirect),
        ("public.account_deleted", "GET"): ("/account-deleted", everyone),
        ("public.healthz", "GET"): ("/healthz", everyone),
        ("public.choose_language", "GET"): ("/language/pl?next=/", {r: 303 for r in ROLES}),
        ("public.check_receipt", "GET"): (f"/receipt/{code}", everyone),
        ("public.privacy", "GET"): ("/privacy", everyone),
        ("public.accessibility", "GET"): ("/accessibility", everyone),
        ("public.cookies", "GET"): ("/cookies", everyone),
        ("public.help_page", "GET"): ("/help", everyone),
        ("public.find_help", "GET"): ("/find-help?q=computer", everyone),
        ("public.service_page", "GET"): (f"/find-help/{w.service_id}", everyone),
        ("openreferral.feed", "GET"): ("/openreferral/", everyone),
        ("openreferral.services", "GET"): ("/openreferral/services", everyone),
        ("openreferral.service", "GET"): (f"/openreferral/services/{w.service_id}", everyone),
        ("openreferral.organizations", "GET"): ("/openreferral/organizations", everyone),
        ("openreferral.taxonomies", "GET"): ("/openreferral/taxonomies", everyone),
        ("openreferral.taxonomy_terms", "GET"): ("/openreferral/taxonomy_terms", everyone),
        ("auth.login", "GET"): ("/login", signed_in_redirect),
        ("auth.login", "POST"): ("/login", {"anonymous": 400, **{r: 303 for r in ("resident", *STAFF)}}),
        ("auth.register", "GET"): ("/register", signed_in_redirect),
        ("auth.register", "POST"): ("/register", {"anonymous": 400, **{r: 303 for r in ("resident", *STAFF)}}),
        ("auth.signed_out", "GET"): ("/signed-out", signed_in_redirect),
        ("auth.setup", "GET"): ("/setup", signed_in_redirect),
        ("auth.setup", "POST"): ("/setup", {"anonymous": 400, **{r: 303 for r in ("resident", *STAFF)}}),
        ("auth.forgot", "GET"): ("/forgot", signed_in_redirect),
        ("auth.forgot", "POST"): ("/forgot", {"anonymous": 400, **{r: 303 for r in ("resident", *STAFF)}}),
        ("auth.forgot_code", "GET"): ("/forgot/code", {r: 303 for r in ("anonymous", "resident", *STAFF)}),  # (anonymous: ask first)
        ("auth.forgot_code", "POST"): ("/forgot/code", {r: 303 for r in ("anonymous", "resident", *STAFF)}),
        ("auth.change_password", "GET"): ("/account/password", {"anonymous": 303, **{r: 200 for r in ("resident", *STAFF)}}),
        ("auth.change_password", "POST"): ("/account/password", {"anonymous": 303, **{r: 400 for r in ("resident", *STAFF)}}),
        ("auth.keep_alive", "POST"): ("/session/keep-alive", {"anonymous": 303, **{r: 200 for r in ("resident", *STAFF)}}),
        ("auth.sign_out", "POST"): ("/sign-out", {r: 303 for r in ROLES}),
        ("admin.home", "GET"): ("/admin/", _staff_page(["admin"])),
        ("admin.providers", "GET"): ("/admin/providers", _staff_page(["admin"])),
        ("admin.new_provider", "GET"): ("/admin/providers/new", _staff_page(["admin"])),
        ("admin.new_provider", "POST"): ("/admin/providers/new", _staff_page(["admin"], 400)),
        ("admin.edit_provider", "GET"): (f"/admin/providers/{provider}/edit", _staff_page(["admin"])),
        ("admin.edit_provider", "POST"): (f"/admin/providers/{provider}/edit", _staff_page(["admin"], 400)),
        ("admin.provider_active", "POST"): (f"/admin/providers/{provider}/active", _staff_page(["admin"], 400)),
        ("admin.new_notice", "GET"): (f"/admin/providers/{provider}/notices/new", _staff_page(["admin"])),
        ("admin.new_notice", "POST"): (f"/admin/providers/{provider}/notices/new", _staff_page(["admin"], 400)),
        ("admin.staff", "GET"): ("/admin/staff", _staff_page(["admin"])),
        ("admin.invite", "GET"): ("/admin/staff/new", _staff_page(["admin"])),
        ("admin.invite", "POST"): ("/admin/staff/new", _staff_page(["admin"], 400)),
        ("admin.staff_member", "GET"): (f"/admin/staff/{w.sharing.tutor_b.id}", _staff_page(["admin"])),
        ("admin.change_role", "POST"): (f"/admin/staff/{w.sharing.tutor_b.id}/role", _staff_page(["admin"], 400)),
        ("admin.staff_active", "POST"): (f"/admin/staff/{w.sharing.tutor_b.id}/active", _staff_page(["admin"], 400)),
        ("admin.new_code", "POST"): (f"/admin/staff/{w.sharing.admin.id}/code", _staff_page(["admin"], 400)),
        ("admin.catalogue", "GET"): ("/admin/catalogue?area=digital", _staff_page(["admin"])),
        ("admin.new_goal", "GET"): ("/admin/catalogue/new", _staff_page(["admin"])),
        ("admin.new_goal", "POST"): ("/admin/catalogue/new", _staff_page(["admin"], 400)),
        ("admin.edit_goal", "GET"): (f"/admin/catalogue/{w.goal.catalogue_goal_id}/edit", _staff_page(["admin"])),
        ("admin.edit_goal", "POST"): (f"/admin/catalogue/{w.goal.catalogue_goal_id}/edit", _staff_page(["admin"], 400)),
        ("admin.retire_goal", "POST"): ("/admin/catalogue/999999/retire", _staff_page(["admin"], 404)),
        ("admin.restore_goal", "POST"): ("/admin/catalogue/999999/restore", _staff_page(["admin"], 404)),
        ("admin.retire_step", "POST"): ("/admin/catalogue/steps/999999/retire", _staff_page(["admin"], 404)),
        ("admin.restore_step", "POST"): ("/admin/catalogue/steps/999999/restore", _staff_page(["admin"], 404)),
        # Services in the directory: admins keep every member organisation's, each organisation's
        # tutors and staff their own (A's here: another organisation's staff find no such service).
        ("admin.services", "GET"): ("/admin/services", _staff_page(["admin"])),
        ("admin.new_service", "GET"): ("/admin/services/new", _staff_page(["admin"])),
        ("admin.new_service", "POST"): ("/admin/services/new", _staff_page(["admin"], 400)),
        ("admin.edit_service", "GET"): (f"/admin/services/{w.service_id}", _staff_page(["admin"])),
        ("admin.edit_service", "POST"): (f"/admin/services/{w.service_id}", _staff_page(["admin"], 400)),
        ("admin.service_checked", "POST"): (f"/admin/services/{w.service_id}/checked", _staff_page(["admin"], 303)),
        ("staff.services", "GET"): ("/staff/services", _staff_page(["tutor_a", "staff_a", "tutor_b", "tutor_c"])),
        ("staff.new_service", "GET"): ("/staff/services/new", _staff_page(["tutor_a", "staff_a", "tutor_b", "tutor_c"])),
        ("staff.new_service", "POST"): ("/staff/services/new", _staff_page(["tutor_a", "staff_a", "tutor_b", "tutor_c"], 400)),
        ("staff.edit_service", "GET"): (f"/staff/services/{w.service_id}",
                                        {**_staff_page(["tutor_a", "staff_a"]), "tutor_b": 404, "tutor_c": 404}),
        ("staff.edit_service", "POST"): (f"/staff/services/{w.service_id}",
                                         {**_staff_page(["tutor_a", "staff_a"], 400), "tutor_b": 404, "tutor_c": 404}),
        ("staff.service_checked", "POST"): (f"/staff/services/{w.service_id}/checked",
                                            {**_staff_page(["tutor_a", "staff_a"], 303), "tutor_b": 404, "tutor_c": 404}),
        ("admin.audit", "GET"): ("/admin/audit", _staff_page(["admin"])),
        ("admin.reset_requests", "GET"): ("/admin/reset-requests", _staff_page(["admin"])),
        ("admin.answer_reset_request", "POST"): (f"/admin/reset-requests/{'0' * 12}/give", _staff_page(["admin"], 404)),
        ("resident.answer_account_change", "POST"): ("/me/account/changes/999999/was_me", _resident_page(404)),
        ("tutor.home", "GET"): ("/tutor/", _staff_page(TUTORS)),
        ("provider.home", "GET"): ("/provider/", _staff_page(["staff_a"])),
        ("provider.figures", "GET"): ("/provider/figures", _staff_page(["staff_a"])),
        ("provider.export_csv", "GET"): ("/provider/export.csv", _staff_page(["staff_a"])),
        ("provider.search", "POST"): ("/provider/search", _staff_page(["staff_a"], 400)),
        ("tutor.search", "POST"): ("/tutor/search", _staff_page(TUTORS, 400)),
        ("tutor.register_resident", "GET"): ("/tutor/residents/new", _staff_page(TUTORS)),
        ("tutor.register_resident", "POST"): ("/tutor/residents/new", _staff_page(TUTORS, 400)),
        ("tutor.password_reset", "GET"): ("/tutor/password-reset", _staff_page(TUTORS)),
        ("tutor.password_reset", "POST"): ("/tutor/password-reset", _staff_page(TUTORS, 400)),
        ("resident.referral_list", "GET"): ("/me/referrals", _resident_page(200)),
        ("resident.referral", "GET"): (f"/me/referrals/{w.referral_id}", _resident_page(404)),  # res.referred's, not the subject's
        ("resident.agree_to_referral", "POST"): (f"/me/referrals/{w.referral_id}/agree", _resident_page(404)),
        ("resident.answer_referral", "POST"): (f"/me/referrals/{w.referral_id}/withdraw", _resident_page(404)),
        ("resident.share_referral_outcome", "POST"): (f"/me/referrals/{w.referral_id}/outcome/show", _resident_page(404)),
        ("resident.ask_service", "GET"): (f"/me/referrals/new/{w.library_service_id}", _resident_page(200)),
        ("resident.ask_service", "POST"): (f"/me/referrals/new/{w.library_service_id}", _resident_page(400)),
        ("resident.save_service", "POST"): (f"/me/saved-services/{w.library_service_id}", _resident_page(303)),
        ("resident.forget_service", "POST"): (f"/me/saved-services/{w.library_service_id}/remove", _resident_page(303)),
        ("staff.referral_inbox", "GET"): ("/staff/referrals", _staff_page(["tutor_a", "staff_a", "tutor_b", "tutor_c"])),
        ("staff.referral", "GET"): (f"/staff/residents/{w.referred.id}/referrals/{w.referral_id}",
                                    {**_staff_page([*TUTORS, "staff_a"], 404), "tutor_b": 200}),
        ("staff.answer_referral", "POST"): (f"/staff/residents/{w.referred.id}/referrals/{w.referral_id}/decline",
                                            {**_staff_page([*TUTORS, "staff_a"], 404), "tutor_b": 400}),
        ("admin.gap_report", "GET"): ("/admin/referrals", _staff_page(["admin"])),
        ("admin.outbox", "GET"): ("/admin/outbox", _staff_page(["admin"])),
        ("admin.gap_report_csv", "GET"): ("/admin/referrals.csv", _staff_page(["admin"])),
        ("tutor.assisted_consent", "GET"): ("/tutor/assisted-consent", _staff_page(TUTORS)),
        ("tutor.assisted_consent", "POST"): ("/tutor/assisted-consent", _staff_page(TUTORS, 400)),
        ("tutor.assisted_consent_done", "GET"): (f"/tutor/assisted-consent/{w.assisted_code}",
                                                 {**_staff_page(["tutor_a"]), "tutor_b": 404, "tutor_c": 404}),
        ("resident.home", "GET"): ("/me/", _resident_page(200)),
        ("resident.check_in", "GET"): ("/me/check-in", _resident_page(200)),
        ("resident.check_in", "POST"): ("/me/check-in", _resident_page(400)),
        ("resident.my_data", "GET"): ("/me/data", _resident_page(200)),
        ("resident.about", "GET"): ("/me/about", _resident_page(200)),
        ("resident.about_question", "GET"): ("/me/about/phone", _resident_page(200)),
        ("resident.about_question", "POST"): ("/me/about/phone", _resident_page(400)),
        ("resident.about_history", "GET"): ("/me/about/history", _resident_page(200)),
        ("resident.contact", "GET"): ("/me/contact", _resident_page(200)),
        ("resident.contact", "POST"): ("/me/contact", _resident_page(400)),
        ("resident.contact_number", "GET"): ("/me/contact/number", _resident_page(200)),
        ("resident.contact_number", "POST"): ("/me/contact/number", _resident_page(400)),
        ("resident.contact_confirm", "GET"): ("/me/contact/confirm", _resident_page(303)),  # (no number waiting: back to the page)
        ("resident.contact_confirm", "POST"): ("/me/contact/confirm", _resident_page(303)),
        ("resident.remove_number", "POST"): ("/me/contact/remove-number", _resident_page(303)),
        ("resident.details", "GET"): ("/me/details", _resident_page(200)),
        ("resident.details", "POST"): ("/me/details", _resident_page(400)),
        ("resident.delete_account", "GET"): ("/me/delete", _resident_page(200)),
        ("resident.delete_account", "POST"): ("/me/delete", _resident_page(400)),
        ("resident.export_page", "GET"): ("/me/export", _resident_page(200)),
        ("resident.export_json", "GET"): ("/me/export.json", _resident_page(200)),
        ("resident.looked", "GET"): ("/me/looked", _resident_page(200)),
        ("resident.flag_look", "POST"): (f"/me/looked/{w.entry_id}/flag", _resident_page(303)),
        ("resident.plan_page", "GET"): ("/me/plan", _resident_page(200)),
        ("resident.print_plan", "GET"): ("/me/plan/print", _resident_page(200)),
        ("resident.save_area", "POST"): ("/me/plan/areas/digital", _resident_page(303)),
        ("resident.choose_goals", "GET"): ("/me/plan/choose", _resident_page(200)),
        ("resident.choose_goals", "POST"): ("/me/plan/choose", _resident_page(400)),
        ("resident.new_goal", "GET"): ("/me/plan/goals/new", _resident_page(200)),
        ("resident.new_goal", "POST"): ("/me/plan/goals/new", _resident_page(400)),
        ("resident.goal", "GET"): (f"/me/plan/goals/{goal}", _resident_page(200)),
        ("resident.save_goal", "POST"): (f"/me/plan/goals/{goal}", _resident_page(303)),
        ("resident.edit_goal", "GET"): (f"/me/plan/goals/{goal}/edit", _resident_page(200)),
        ("resident.edit_goal", "POST"): (f"/me/plan/goals/{goal}/edit", _resident_page(303)),
        ("resident.add_note", "POST"): (f"/me/plan/goals/{goal}/notes", _resident_page(400)),
        ("resident.remove_goal", "GET"): (f"/me/plan/goals/{goal}/remove", _resident_page(200)),
        ("resident.remove_goal", "POST"): (f"/me/plan/goals/{'0' * 12}/remove", _resident_page(404)),
        ("resident.progress", "GET"): ("/me/progress", _resident_page(200)),
        ("resident.timeline", "GET"): ("/me/timeline", _resident_page(200)),
        ("resident.receipt", "GET"): (f"/me/receipts/{code}", _resident_page(200)),
        ("resident.receipt_json", "GET"): (f"/me/receipts/{code}.json", _resident_page(200)),
        ("resident.sharing", "GET"): ("/me/sharing", _resident_page(200)),
        ("resident.sharing_history", "GET"): ("/me/sharing/history", _resident_page(200)),
        ("resident.pending_sharing", "GET"): ("/me/sharing/pending", _resident_page(200)),
        ("resident.change_area", "POST"): (f"/me/sharing/providers/{provider}/job_readiness/stop", _resident_page(303)),
        ("resident.undo", "POST"): ("/me/sharing/receipts/MML-0000-0000-0000/undo", _resident_page(404)),
        ("resident.share", "GET"): (f"/me/sharing/providers/{provider}/financial", _resident_page(200)),
        ("resident.share", "POST"): (f"/me/sharing/providers/{provider}/financial", _resident_page(400)),
        ("resident.preview", "GET"): (f"/me/sharing/providers/{provider}/digital/preview", _resident_page(200)),
        ("resident.stop_all", "POST"): ("/me/sharing/stop", _resident_page(303)),
        ("resident.resume_all", "POST"): ("/me/sharing/resume", _resident_page(303)),
        ("resident.renew", "POST"): (f"/me/sharing/grants/{'0' * 32}/renew", _resident_page(404)),
        ("resident.answer_pending", "POST"): (f"/me/sharing/grants/{w.grant.id}/confirm", _resident_page(404)),
    }


# Staff routes that show or change a resident's data: tested against every situation below.
# (endpoint, method) → (url, form data, which permission: area / any / record, status when allowed)
RESIDENT_DATA_ROUTES = {
    ("staff.resident_area", "GET"): ("/staff/residents/{resident}/{area}?purpose=plan_support", None, "area", 200),
    ("staff.resident", "GET"): ("/staff/residents/{resident}", None, "any", 200),
    ("tutor.refer", "GET"): ("/tutor/residents/{resident}/refer", None, "any", 200),
    ("tutor.refer_to", "GET"): ("/tutor/residents/{resident}/refer/{service}", None, "any", 200),
    ("tutor.refer_to", "POST"): ("/tutor/residents/{resident}/refer/{service}", {}, "any", 400),
    ("staff.record_check_in", "POST"): ("/staff/residents/{resident}/{area}/check-in",
                                        {"purpose": "plan_support", "{area}": "3"}, "record", 303),
    ("staff.record_ticks", "POST"): ("/staff/residents/{resident}/{area}/goals/{goal}", {"purpose": "plan_support"}, "record", 303),
    ("staff.record_note", "POST"): ("/staff/residents/{resident}/{area}/goals/{goal}/notes",
                                    {"purpose": "plan_support", "text": "A note"}, "record", 303),
    # Nobody here shares About me (sharing the plan is not sharing it): 404 for everyone, the same
    # page as for no such resident. tests/test_about_me_staff.py has those who do.
    ("staff.resident_about", "GET"): ("/staff/residents/{resident}/about?purpose=plan_support", None, "about_me", 200),
    ("tutor.about_with_resident", "GET"): ("/tutor/residents/{resident}/about/phone?purpose=plan_support", None, "about_me", 200),
    ("tutor.about_with_resident", "POST"): ("/tutor/residents/{resident}/about/phone?purpose=plan_support",
                                            {"answer": "07700 900982", "with_resident": "y"}, "about_me", 303),
}


@pytest.fixture
def world(sqlite_url, people, db):
    app = make_app(sqlite_url)
    yield World(app, db, people)
    app.extensions["tracker_engine"].dispose()


def test_every_route_is_in_the_matrix(world):
    routes = {(rule.endpoint, method) for rule in world.app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    covered = set(matrix(world)) | set(RESIDENT_DATA_ROUTES)  # (static files are not routes: WhiteNoise serves them)
    assert routes - covered == set(), "add these routes to tests/test_access_matrix.py"
    assert covered - routes == set(), "the matrix names routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says(world, role):
    failures = []
    for (endpoint, method), (url, expected) in matrix(world).items():
        client = world.client(role)
        response = client.open(url, method=method, data={} if method == "POST" else None)
        response.close()  # a streamed body (the CSV) is finished before the next request starts
        if response.status_code != expected[role]:
            failures.append(f"{method} {url} ({endpoint}) as {role}: {response.status_code}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


def _main(html: str) -> str:
    body = html.split("<main", 1)[1].split("</main>")[0]
    return re.sub(r'value="[^"]+"', "", body)


@pytest.mark.parametrize("situation", [*SITUATIONS, "own", "non_existent"])
def test_staff_see_and_change_a_resident_only_with_an_active_consent(world, situation):
    if situation == "own":
        resident_id, spec = world.subject.id, ("digital", {"tutor_a", "staff_a"}, {"tutor_a", "staff_a"}, set())
    elif situation == "non_existent":
        resident_id, spec = "0" * 32, ("digital", set(), set(), set())
    else:
        resident_id, spec = world.residents[situation].id, SITUATIONS[situation]
    area = spec[0]
    allowed_by = {"area": spec[1], "any": spec[2], "record": spec[3], "about_me": set()}
    missing_page = {}
    for (endpoint, method), (pattern, data, permission, ok) in RESIDENT_DATA_ROUTES.items():
        prefix = pattern.split("/residents")[0]
        for role in ROLES:
            client = world.client(role)
            url = pattern.format(resident=resident_id, area=area, goal=world.goals[resident_id], service=world.library_service_id)
            form = {key.format(area=area): value for key, value in data.items()} if data else data
            response = client.open(url, method=method, data=form)
            # /staff is for tutors and provider staff (recording: tutors only); /tutor for tutors.
            role_allowed = role in TUTORS or (prefix == "/staff" and permission != "record" and role == "staff_a")
            if role == "anonymous":
                expected = 303
            elif not role_allowed:
                expected = 403
            else:
                expected = ok if role in allowed_by[permission] else 404
            assert response.status_code == expected, f"{situation}: {method} {url} as {role} gave {response.status_code}, expected {expected}"
            if expected == 404:
                nobody = client.open(pattern.format(resident="0" * 32, area=area, goal="0" * 12, service=world.library_service_id),
                                     method=method, data=form)
                missing_page.setdefault((role, endpoint, method), _main(nobody.text))
                assert _main(response.text) == missing_page[(role, endpoint, method)], f"{situation}: {endpoint}: the 404 differs"


def test_the_page_of_a_consented_resident_shows_only_what_the_notice_lists(world, db):
    from tests.sharing_helpers import publish

    publish(db, world.sharing.b, "financial", fields=["goal_status"])  # (a later version; the grant keeps its own)
    client = world.client("tutor_a")
    page = client.get(f"/staff/residents/{world.subject.id}/digital?purpose=plan_support").text
    assert "Sam Subject" in page and "Get online and use websites" in page
    assert client.get(f"/staff/residents/{world.subject.id}/digital?purpose=marketing").status_code == 400
    assert "Why are you opening this record?" in client.get(f"/staff/residents/{world.subject.id}/digital").text


def test_assisted_consent_receipts_are_only_for_the_tutor_who_recorded_them(world, db):
    assert db.exec(select(ConsentEvent).where(ConsentEvent.receipt_code == world.assisted_code)).first().actor_role == Role.TUTOR


def test_lists_counts_and_exports_show_only_residents_the_decision_allows(world, db):
    """The lists use the same valid-grant clause as single decisions: a deactivated organisation's
    staff list nobody, a deactivated resident is in nobody's list, and everyone listed is logged."""
    from tracker.models import AccessLogEntry

    def name(situation):
        return world.residents[situation].display_name

    tutor_a = world.client("tutor_a").get("/tutor/").text
    assert name("record") in tutor_a and name("consented") in tutor_a
    assert name("resident_deactivated") not in tutor_a and name("provider_deactivated") not in tutor_a
    tutor_c = world.client("tutor_c").get("/tutor/").text
    assert name("provider_deactivated") not in tutor_c and "Sam Subject" not in tutor_c
    csv = world.client("staff_a").get("/provider/export.csv").text
    assert name("record") in csv and name("resident_deactivated") not in csv
    figures = world.client("staff_a").get("/provider/figures")
    assert figures.status_code == 200
    listed = {e.resident_id for e in db.exec(select(AccessLogEntry).where(AccessLogEntry.actor_user_id == world.sharing.tutor_a.id,
                                                                         AccessLogEntry.action == "listed_in_dashboard")).all()}
    shown = {r.id for r in [*world.residents.values(), world.referred] if r.display_name in tutor_a} \
        | ({world.subject.id} if "Sam Subject" in tutor_a else set())
    assert listed == shown
    assert world.residents["resident_deactivated"].id not in listed
    assert not db.exec(select(AccessLogEntry).where(AccessLogEntry.actor_user_id == world.tutor_c.id)).all()


def test_an_admin_with_an_organisation_never_passes_the_consent_decision(world, db):
    admin = world.sharing.admin
    assert admin.provider_id == world.sharing.a.id
    assert consent.decisions_for(db, admin, [world.subject.id]) == []
    assert consent.staff_provider(admin) is None


# --- Referrals: the receiving organisation sees nothing until the resident agrees -----------------

# situation → whether tutor_b (staff of the receiving organisation) may open the referral
REFERRAL_SITUATIONS = {"waiting": False, "sent": True, "declined": True, "withdrawn": False, "expired": True,
                       "consent_withdrawn": False, "said_no": False}


@pytest.mark.parametrize("situation", REFERRAL_SITUATIONS)
def test_a_referral_is_seen_by_its_receiver_only_once_agreed_and_while_shared(world, db, situation):
    from datetime import timedelta

    import time_machine

    from tracker.clock import utcnow
    from tracker.domain import referrals

    resident = world.sharing.resident_in("consented", f"ref.{situation.replace('_', '')}")
    referral = world.refer(db, resident, agree=situation not in ("waiting", "said_no"))
    as_resident = consent.ConsentActor.resident(resident)
    if situation == "said_no":
        referrals.say_no(db, resident.id, referral.id, as_resident)
    elif situation == "declined":
        referrals.receiver_moves(db, db.get(type(referral), referral.id), "declined", world.sharing.tutor_b, world.sharing.b, "other")
    elif situation == "withdrawn":
        referrals.withdraw(db, resident.id, referral.id, as_resident, SECRET)
    elif situation == "expired":
        with time_machine.travel(utcnow() + timedelta(days=15), tick=False):
            assert referrals.expire_overdue(db, resident_id=resident.id) == 1
    elif situation == "consent_withdrawn":  # stopped on the sharing page, not by taking the referral back
        consent.switches.stop_sharing(db, resident.id, world.sharing.b.id, "digital", as_resident, SECRET)
    db.commit()
    url = f"/staff/residents/{resident.id}/referrals/{referral.id}"
    for role in ROLES:
        client = world.client(role)
        expected = {"anonymous": 303, "resident": 403, "admin": 403}.get(role, 200 if role == "tutor_b" and REFERRAL_SITUATIONS[situation] else 404)
        assert client.get(url).status_code == expected, f"{situation}: {role}"
        if role in STAFF and role != "admin":
            inbox = client.get("/staff/referrals").text
            listed = role == "tutor_b" and situation == "sent"
            assert (resident.display_name in inbox) == listed, f"{situation}: {role}'s inbox"
    # Accepting it: refused with a 404 where it is not seen, a no-change where it is no longer new.
    before = db.get(type(referral), referral.id).state
    accepted = world.client("tutor_b").post(f"{url}/accept")
    db.expire_all()
    after = db.get(type(referral), referral.id).state
    if not REFERRAL_SITUATIONS[situation]:
        assert accepted.status_code == 404 and after == before, situation
    elif before != "sent":
        assert accepted.status_code == 303 and after == before, situation
    else:
        assert accepted.status_code == 303 and after == "accepted"
    # And the same 404 as for a referral that does not exist.
    if not REFERRAL_SITUATIONS[situation]:
        client = world.client("tutor_b")
        assert _main(client.get(url).text) == _main(client.get(f"/staff/residents/{resident.id}/referrals/{'0' * 12}").text)
