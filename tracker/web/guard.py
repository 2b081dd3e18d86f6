"""The consent guard: the only way a staff page reaches a resident's record.

Every tutor or provider-staff route that takes a resident's id is decorated with
``consent_required``. The guard, in one transaction:

1. locks the resident's record (``tracker.domain.locks``), so a withdrawal and a look are one after the
   other, never interleaved;
2. takes the consent decision for the signed-in staff member (``tracker.domain.consent``): no valid grant
   is the same 404 as a resident who does not exist, before the view runs at all;
3. for pages that open a shared area, makes sure a reason from the resident's notice was given
   (asking for one shows nothing about the resident);
4. hands the view an ``Access`` with the decisions, and lets it build its response;
5. writes the access-log entry for what the view showed or changed, and commits it together with
   any change the view made. Only then does the response leave the server: if the log entry
   cannot be written, the page is not shown (fail closed) and nothing the view did is kept.

``tests/test_consent_guard.py`` walks ``app.url_map`` and fails for any staff route that takes a
resident (or goal, step, note, grant…) id without this decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import abort, flash, g, render_template, request
from flask_login import current_user

from tracker.domain import consent
from tracker.models import AccessAction, AccessMode, Provider, Role
from tracker.web.session import get_session

# URL parameters that point at a resident's record; a staff route taking one needs the guard.
RESIDENT_RECORD_PARAMETERS = {"resident_id", "goal_id", "step_id", "note_id", "grant_id", "check_in_id", "referral_id"}

ASK = "ask"  # a reason from the notice, chosen on a page of its own before anything is shown (GET ?purpose=)
FORM = "form"  # a reason sent with the form (POST purpose=); a missing or foreign one is a 400
LIST = "list"  # shown among the staff member's list of residents: the reason is the list itself
REFERRAL = "referral"  # a referral the resident agreed to send to the staff member's organisation: the reason is the referral


@dataclass
class Access:
    """What the guard allowed, for the view to use; and what the view showed, for the log."""

    resident_id: str
    decisions: list[consent.Decision]
    provider: Provider
    purpose: str
    action: AccessAction
    fields: tuple[str, ...] | None = None  # None: everything the notice lists
    messages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def decision(self) -> consent.Decision:
        """The one decision of a route about one area."""
        return self.decisions[0]

    def flash_after_commit(self, message: str, category: str = "success") -> None:
        """A message for the next page, kept only if the change is saved."""
        self.messages.append((message, category))


def consent_required(action: AccessAction, *, mode: str = AccessMode.VIEW, purpose: str = ASK, part: str | None = None) -> Callable:
    """Guard a staff view of one resident (see the module's docstring).

    With an ``area`` URL parameter the decision is for that area only, and the view gets
    ``access.decision``; without one, every area the resident shares with the staff member's
    provider, in ``access.decisions``; ``part`` names one for a route without an ``area`` (About
    me). The view is called as ``view(access, **other_url_args)``."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(resident_id: str, **kwargs):
            if mode == AccessMode.RECORD and current_user.role != Role.TUTOR:
                abort(403)  # recording with the resident is a tutor's work (the same answer for everyone: it says nothing of them)
            db = get_session()
            area = kwargs.get("area", part)
            decisions = consent.open_record(db, current_user, resident_id, mode, area=area)
            if not decisions:
                abort(404)  # the same page as for a resident who does not exist
            reason = _reason(purpose, decisions)
            if reason is None:
                return _ask_for_reason(decisions[0], area)
            access = Access(resident_id, decisions, db.get(Provider, current_user.provider_id), reason, action)
            response = view(access, **kwargs)
            consent.record_access(db, current_user, access.provider, access.decisions, access.action, access.purpose,
                                  g.request_id, fields=access.fields)
            db.commit()  # the look (and any change) is on record before the response leaves
            for message, category in access.messages:
                flash(message, category)
            return response

        guarded.consent_guard = {"action": action, "mode": mode, "purpose": purpose, "part": part}
        return guarded

    return decorate


def _reason(purpose: str, decisions: list[consent.Decision]) -> str | None:
    if purpose == LIST:
        return consent.LIST_PURPOSE
    if purpose == REFERRAL:
        return consent.REFERRAL_PURPOSE
    chosen = request.form.get("purpose") if purpose == FORM else request.args.get("purpose")
    if all(chosen in d.purposes for d in decisions):
        return chosen
    if purpose == FORM:
        abort(400)
    return None


def _ask_for_reason(decision: consent.Decision, area: str | None):
    """Which of the notice's reasons: nothing about the resident is on this page, so nothing is
    logged; a reason that is not in the notice is an error."""
    given = request.args.get("purpose")
    return render_template("staff/choose_purpose.html", decision=decision, area=area, error=given is not None), \
        400 if given is not None else 200
