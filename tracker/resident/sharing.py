"""The resident's sharing pages: who can see my plan, saying yes (after a preview), saying no,
pausing everything, receipts, the history of consents and who has looked."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from sqlmodel import col, func, select
from wtforms import BooleanField, SelectChoice

from tracker.domain import consent, setup_codes
from tracker.domain.clock import utcnow
from tracker.domain.locks import lock_residents
from tracker.domain.parsing import page_number
from tracker.domain.shared_data import shared_area
from tracker.models import (
    AccessFlag,
    AccessLogEntry,
    ConsentEvent,
    ConsentGrant,
    GrantState,
    Provider,
    SharingNotice,
    Suggestion,
    SuggestionState,
)
from tracker.resident import bp
from tracker.web import htmx
from tracker.web.forms import ButtonForm, GovRadioField, page_status
from tracker.web.session import get_session

PER_PAGE = 50


class ShareForm(FlaskForm):
    months = GovRadioField(
        _l("How long should they be able to see it?"),
        description=_l("You can stop sharing at any time, whatever you choose here."),
        message=_l("Choose how long to share for"),
        choices=[SelectChoice("3", _l("3 months")), SelectChoice("6", _l("6 months")), SelectChoice("12", _l("12 months"))],
    )
    record = BooleanField(_l("Also let them record progress with me (for example, tick steps at a session)"), widget=GovCheckboxInput())



def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _actor() -> consent.ConsentActor:
    return consent.ConsentActor.resident(current_user, channel="web_js" if htmx.is_htmx_request() else "web_nojs")


def _locale() -> str:
    return str(get_locale() or "en")


@bp.get("/sharing")
def sharing():
    db = get_session()
    if consent.expire_lapsed(db, _secret(), current_user.id):
        db.commit()
    return render_template("resident/sharing.html", choices=consent.sharing_choices(db, current_user.id),
                           attention=consent.grants_needing_attention(db, current_user.id), button=ButtonForm())


@bp.post("/sharing/providers/<uid:provider_id>")
def save_sharing(provider_id):
    """The on/off boxes for one provider. Turning an area off stops sharing at once; turning one on
    goes to the page that shows what they would see, before anything is shared. The choices are
    read under the resident's lock, so a second tap finds the first one's change already made."""
    db = get_session()
    wanted = set(request.form.getlist("area"))
    to_confirm = None
    with consent.Change(db, current_user.id, _actor(), _secret()) as change:
        found = consent.sharing_choices(db, current_user.id, provider_id)
        if not found:
            abort(404)
        for choice in found[0].areas:
            on = choice.area in wanted
            if on and choice.status == "paused":
                change.resume(choice.grant)
            elif on and choice.status == "pending":
                to_confirm = to_confirm or url_for("resident.pending_sharing")
            elif on and choice.status != "active":
                to_confirm = to_confirm or url_for("resident.share", provider_id=provider_id, area=choice.area)
            elif not on and choice.status in ("active", "paused", "on_hold"):
                change.withdraw(choice.grant)
            elif not on and choice.status == "pending":
                change.refuse(choice.grant)
    receipt = change.receipt or consent.repeat_receipt(
        db, current_user.id, current_user.id, ("resumed", "withdrawn", "refused"), provider_id=provider_id)
    db.commit()
    if to_confirm:
        return htmx.redirect(to_confirm)
    if htmx.is_htmx_request():
        return _provider_fragment(provider_id, receipt)
    if receipt is not None:
        return htmx.redirect(url_for("resident.receipt", code=receipt.code))
    return htmx.redirect(url_for("resident.sharing") + f"#p{provider_id}")


def _provider_fragment(provider_id: str, receipt):
    db = get_session()
    choices = consent.sharing_choices(db, current_user.id, provider_id)[0]
    return render_template("resident/_sharing_provider.html", choices=choices, receipt=receipt, announce=True)


@bp.route("/sharing/providers/<uid:provider_id>/<area:area>", methods=["GET", "POST"])
def share(provider_id, area):
    """Saying yes: what they will see (a preview from the resident's own plan), why, for how long,
    the promise that saying no changes nothing else, then the choice."""
    db = get_session()
    form = ShareForm()
    if form.validate_on_submit():
        # The yes is to the notice they read (its id came with the form), held so that no new version
        # can come out meanwhile; taken before the resident's lock (organisation, notice, residents).
        held = consent.current_notice(db, provider_id, area, to_agree_to=True)
        try:
            if held is None or held.id != request.form.get("notice"):
                raise consent.ConsentError("notice_changed")
            with consent.Change(db, current_user.id, _actor(), _secret()) as change:
                notice, provider, grant, state = _share_offer(db, provider_id, area)
                if state not in ("active", "paused", "pending"):
                    offers_record = "record_progress" in notice.access_modes
                    modes = ["view"] + (["record_progress"] if offers_record and form.record.data else [])
                    change.give(notice, modes, int(form.months.data))
        except consent.ConsentError:  # what they were reading has just changed: show them the new version
            db.rollback()
            if held is None:
                abort(404)
            flash(_("This organisation has just changed what it asks to see. Read it again before you say yes."), "info")
            return htmx.redirect(url_for("resident.share", provider_id=provider_id, area=area))
        receipt = change.receipt or consent.repeat_receipt(db, current_user.id, current_user.id, ("given",),
                                                           provider_id=provider_id, area=area)
        db.commit()
        if receipt is not None:
            return htmx.redirect(url_for("resident.receipt", code=receipt.code))
        return htmx.redirect(url_for("resident.sharing") + f"#p{provider_id}")
    notice, provider, grant, state = _share_offer(db, provider_id, area)
    if state in ("active", "paused", "pending"):
        return htmx.redirect(url_for("resident.sharing") + f"#p{provider_id}")
    if request.method == "GET":
        form.months.data = str(grant.duration_months if grant else consent.DEFAULT_DURATION_MONTHS)
    previous = db.get(SharingNotice, grant.notice_id) if grant is not None and state == "on_hold" else None
    preview = shared_area(db, current_user.id, area, tuple(notice.fields_shown), _locale())
    return render_template("resident/share.html", form=form, notice=notice, provider=provider, preview=preview,
                           offers_record="record_progress" in notice.access_modes, previous=previous), \
        page_status()


def _share_offer(db, provider_id: str, area: str):
    """The provider's current notice for the area, and the resident's live grant and its status."""
    notice = consent.current_notice(db, provider_id, area)
    provider = db.get(Provider, provider_id) if notice else None
    if notice is None or not provider.active:
        abort(404)
    grant = consent.live_grant(db, current_user.id, provider_id, area)
    return notice, provider, grant, consent.status(grant)


@bp.get("/sharing/providers/<uid:provider_id>/<area:area>/preview")
def preview(provider_id, area):
    db = get_session()
    notice = consent.current_notice(db, provider_id, area)
    if notice is None:
        abort(404)
    provider = db.get(Provider, provider_id)
    data = shared_area(db, current_user.id, area, tuple(notice.fields_shown), _locale())
    return render_template("resident/preview.html", notice=notice, provider=provider, preview=data)


def _change_every(status: str, action: str, nothing_to_do: str):
    """Apply one action (pause, resume) to every consent of the resident in ``status``, with one
    receipt for them all."""
    db = get_session()
    with consent.Change(db, current_user.id, _actor(), _secret()) as change:
        for grant in db.exec(select(ConsentGrant).where(ConsentGrant.resident_id == current_user.id)).all():
            if consent.status(grant) == status:
                getattr(change, action)(grant)
    receipt = change.receipt or consent.repeat_receipt(db, current_user.id, current_user.id, (ACTION_EVENTS[action],))
    db.commit()
    if receipt is None:
        flash(nothing_to_do, "info")
        return htmx.redirect(url_for("resident.sharing"))
    return htmx.redirect(url_for("resident.receipt", code=receipt.code))


ACTION_EVENTS = {"pause": "paused", "resume": "resumed"}


@bp.post("/sharing/stop")
def stop_all():
    """Stop all sharing now: pause every consent in one go (it can be resumed)."""
    return _change_every("active", "pause", _("Nothing was being shared."))


@bp.post("/sharing/resume")
def resume_all():
    return _change_every("paused", "resume", _("Nothing was paused."))


@bp.post("/sharing/grants/<uid:grant_id>/renew")
def renew(grant_id):
    db = get_session()
    with consent.Change(db, current_user.id, _actor(), _secret()) as change:
        grant = _grant_or_404(grant_id)
        repeat = consent.repeat_receipt(db, current_user.id, current_user.id, ("renewed",), grant_id=grant.id)
        if repeat is None:
            if consent.status(grant) != "active":
                abort(404)
            change.renew(grant)
    db.commit()
    return htmx.redirect(url_for("resident.receipt", code=(change.receipt or repeat).code))


def _grant_or_404(grant_id: str) -> ConsentGrant:
    try:
        return consent.resident_grant(get_session(), current_user.id, grant_id)
    except consent.NotShared:
        abort(404)


@bp.get("/sharing/pending")
def pending_sharing():
    """Consents a tutor recorded for their own provider: nothing is shared until the resident says so."""
    db = get_session()
    grants = consent.grants_needing_attention(db, current_user.id)["pending"]
    rows = [(g, db.get(Provider, g.provider_id), db.get(SharingNotice, g.notice_id),
             db.exec(select(ConsentEvent).where(ConsentEvent.grant_id == g.id).order_by(col(ConsentEvent.seq).desc())).first())
            for g in grants]
    return render_template("resident/pending.html", rows=rows, button=ButtonForm())


@bp.post("/sharing/grants/<uid:grant_id>/<any(confirm, refuse):answer>")
def answer_pending(grant_id, answer):
    db = get_session()
    with consent.Change(db, current_user.id, _actor(), _secret()) as change:
        grant = _grant_or_404(grant_id)
        repeat = consent.repeat_receipt(db, current_user.id, current_user.id, ("confirmed", "refused"), grant_id=grant.id)
        if repeat is None:
            if grant.state != GrantState.PENDING:
                abort(404)
            change.confirm(grant) if answer == "confirm" else change.refuse(grant)
    db.commit()
    return htmx.redirect(url_for("resident.receipt", code=(change.receipt or repeat).code))


# --- Receipts and history -----------------------------------------------------------------------


def _own_receipt(code: str):
    receipt = consent.find_receipt(get_session(), code, _secret())
    if receipt is None or receipt.resident_id != current_user.id:
        abort(404)
    return receipt


@bp.get("/receipts/<receipt:code>")
def receipt(code):
    db = get_session()
    found = _own_receipt(code)
    events = db.exec(select(ConsentEvent).where(ConsentEvent.receipt_code == found.code).order_by(ConsentEvent.seq)).all()
    # For a withdrawal: what the provider has already seen, so the resident knows where things stand.
    seen = {}
    for event in events:
        if event.event_type in ("withdrawn", "paused"):
            count, last = db.exec(
                select(func.count(), func.max(AccessLogEntry.occurred_at))
                .where(AccessLogEntry.resident_id == current_user.id, AccessLogEntry.grant_id == event.grant_id)
            ).one()
            notice = db.get(SharingNotice, event.notice_id)
            seen[event.id] = (count, last, notice.retention)
    return render_template("resident/receipt.html", receipt=found, events=events, seen=seen)


@bp.get("/receipts/<receipt:code>.json")
def receipt_json(code):
    found = _own_receipt(code)
    return jsonify({**found.content, "mac": found.mac, "check_at": url_for("public.check_receipt", code=found.code, _external=True)})


@bp.get("/sharing/history")
def sharing_history():
    db = get_session()
    page = _page()
    events = db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == current_user.id)
                     .order_by(col(ConsentEvent.seq).desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    return render_template("resident/sharing_history.html", events=events[:PER_PAGE], page=page, older=len(events) > PER_PAGE)


def _page() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


@bp.get("/looked")
def looked():
    """Who has looked at my plan: every access-log entry, newest first."""
    db = get_session()
    page = _page()
    rows = db.exec(
        select(AccessLogEntry, SharingNotice.purposes, AccessFlag.id)
        .join(ConsentGrant, ConsentGrant.id == AccessLogEntry.grant_id, isouter=True)
        .join(SharingNotice, SharingNotice.id == ConsentGrant.notice_id, isouter=True)
        .join(AccessFlag, AccessFlag.entry_id == AccessLogEntry.id, isouter=True)
        .where(AccessLogEntry.resident_id == current_user.id)
        .order_by(col(AccessLogEntry.seq).desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    ).all()
    return render_template("resident/looked.html", rows=rows[:PER_PAGE], page=page, older=len(rows) > PER_PAGE,
                           summary=consent.looks_in_last_30_days(db, current_user.id), button=ButtonForm(),
                           account_changes=setup_codes.changes_by_staff(db, current_user.id) if page == 1 else [])


@bp.post("/looked/<row_id:entry_id>/flag")
def flag_look(entry_id):
    db = get_session()
    lock_residents(db, [current_user.id])  # a second tap finds the first flag
    entry = db.get(AccessLogEntry, entry_id)
    if entry is None or entry.resident_id != current_user.id:
        abort(404)
    if db.exec(select(AccessFlag.id).where(AccessFlag.entry_id == entry.id)).first() is None:
        db.add(AccessFlag(entry_id=entry.id, resident_id=current_user.id, provider_id=entry.provider_id))
        db.commit()
    flash(_("Thank you. The people who run Me and My Learning will look into it and contact %(provider)s.",
            provider=entry.provider_name), "success")
    return htmx.redirect(url_for("resident.looked", page=request.args.get("page") or None) + f"#look-{entry.id}")





# --- Suggestions from tutors ------------------------------------------------------------------


@bp.post("/suggestions/<short_id:suggestion_id>/<any(accept, dismiss):answer>")
def answer_suggestion(suggestion_id, answer):
    """Accepting opens the normal sharing page for that provider (nothing is shared until the
    resident says yes there); dismissing just closes the suggestion."""
    db = get_session()
    lock_residents(db, [current_user.id])
    suggestion = db.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.resident_id != current_user.id:
        abort(404)
    new_state = SuggestionState.ACCEPTED if answer == "accept" else SuggestionState.DISMISSED
    if suggestion.state == SuggestionState.WAITING:
        suggestion.state, suggestion.answered_at = new_state, utcnow()
        db.add(suggestion)
        db.commit()
    elif suggestion.state != new_state:  # answered the other way already; a repeat gets the same answer
        abort(404)
    if answer == "accept":
        return htmx.redirect(url_for("resident.share", provider_id=suggestion.to_provider_id, area=suggestion.area))
    flash(_("The suggestion is closed."), "success")
    return htmx.redirect(url_for("resident.home"))
