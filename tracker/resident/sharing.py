"""The resident's sharing pages: who can see my plan (a summary, each area with "Change"), saying
yes (after a preview), stopping, undoing a change just made, pausing everything, receipts, the
history of consents and who has looked."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField, SelectChoice

from tracker.clock import utcnow
from tracker.domain import consent, referrals, setup_codes
from tracker.domain.consent import caseload
from tracker.domain.parsing import page_number
from tracker.domain.shared_data import shared_area
from tracker.models import (
    ABOUT_ME,
    Provider,
    SharingNotice,
)
from tracker.resident import about, bp
from tracker.web import htmx
from tracker.web.forms import ButtonForm, GovRadioField, page_status
from tracker.web.i18n import request_language
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


@bp.get("/sharing")
def sharing():
    """A summary of what each organisation can see, area by area, each with "Change"; after a
    change (``?changed=<receipt>``) a banner says what changed, with the receipt and "Undo"."""
    db = get_session()
    if consent.expire_lapsed(db, _secret(), current_user.id):
        db.commit()
    return render_template("resident/sharing.html", choices=consent.sharing_choices(db, current_user.id),
                           attention=consent.grants_needing_attention(db, current_user.id), button=ButtonForm(),
                           changed=_changed(db, request.args.get("changed", "")),
                           registered_by=caseload.registered_by(db, current_user.id))


def _changed(db, code: str):
    """The banner after a change: the resident's own receipt, its changes, and whether Undo is offered."""
    if not code or len(code) > 20:
        return None
    found = consent.find_receipt(db, code, _secret())
    if found is None or found.resident_id != current_user.id:
        return None
    events = consent.switches.receipt_changes(db, found)
    return {"receipt": found, "events": events, "undo": bool(consent.switches.undoable(db, found, current_user.id, events))}


def _done(receipt, provider_id: str | None = None):
    """After a change: back to the summary, with its banner (or, if nothing changed, just back)."""
    if receipt is None:
        return htmx.redirect(url_for("resident.sharing") + (f"#p{provider_id}" if provider_id else ""))
    return htmx.redirect(url_for("resident.sharing", changed=receipt.code))


@bp.route("/sharing/providers/<uid:provider_id>/<part:area>", methods=["GET", "POST"])
def share(provider_id, area):
    """"Change" for one area of one organisation. Not shared: what they would see (a preview from
    the resident's own plan), why, for how long, the promise that saying no changes nothing else,
    then "Share this". Shared or paused: what they can see now, and "Stop sharing"."""
    db = get_session()
    form = ShareForm()
    if area != ABOUT_ME and form.validate_on_submit():
        try:
            receipt = consent.switches.say_yes(db, current_user.id, provider_id, area, notice_id=request.form.get("notice"),
                                               record=form.record.data, months=int(form.months.data), actor=_actor(),
                                               secret_key=_secret())
        except consent.NotShared:
            abort(404)
        except consent.ConsentError:  # what they were reading has just changed: show them the new version
            db.rollback()
            flash(_("This organisation has just changed what it asks to see. Read it again before you say yes."), "info")
            return htmx.redirect(url_for("resident.share", provider_id=provider_id, area=area))
        db.commit()
        return _done(receipt, provider_id)
    if request.method == "GET" and consent.expire_lapsed(db, _secret(), current_user.id):
        db.commit()  # a paused consent whose time ran out has ended: say so, not "Start sharing again"
    offer = _offer_or_404(db, provider_id, area)
    if offer.state == "pending":
        return htmx.redirect(url_for("resident.pending_sharing"))
    if area == ABOUT_ME:
        return about.share_about_me(db, offer, _actor(), _secret())
    preview = shared_area(db, current_user.id, area, tuple(offer.notice.fields_shown), request_language())
    if offer.state in ("active", "paused"):
        if request.method == "POST":  # a yes sent twice, or from an old page: it is already shared
            return _done(None, provider_id)
        return render_template("resident/shared.html", grant=offer.grant, state=offer.state, notice=offer.notice,
                               provider=offer.provider, preview=preview,
                               last_looked_at=consent.last_looks(db, current_user.id).get(offer.grant.id),
                               can_renew=offer.grant.valid_until - utcnow() <= consent.RENEWAL_WINDOW)
    if request.method == "GET":
        form.months.data = str(offer.grant.duration_months if offer.grant else consent.DEFAULT_DURATION_MONTHS)
    previous = db.get(SharingNotice, offer.grant.notice_id) if offer.grant is not None and offer.state == "on_hold" else None
    return render_template("resident/share.html", form=form, notice=offer.notice, provider=offer.provider, preview=preview,
                           offers_record="record_progress" in offer.notice.access_modes, previous=previous), page_status()


@bp.post("/sharing/providers/<uid:provider_id>/<part:area>/<any(stop, resume):action>")
def change_area(provider_id, area, action):
    """"Stop sharing" (one page, one button: the same as saying yes) or "Start sharing again"."""
    db = get_session()
    change = consent.switches.stop_sharing if action == "stop" else consent.switches.resume_sharing
    try:
        receipt = change(db, current_user.id, provider_id, area, _actor(), _secret())
    except consent.NotShared:
        abort(404)
    _recall_unshared(db)
    db.commit()
    if receipt is None and action == "resume":
        flash(_("This sharing has ended, so it cannot start again. You can share it again from its page."), "info")
    return _done(receipt, provider_id)


@bp.post("/sharing/receipts/<receipt:code>/undo")
def undo(code):
    """"Undo" in the banner after a change: a new change that turns it back, with its own receipt."""
    db = get_session()
    found = _own_receipt(code)
    try:
        receipt = consent.switches.undo(db, current_user.id, found, _actor(), _secret())
    except consent.ConsentError as error:
        db.rollback()
        if error.code == "notice_changed":
            flash(_("This organisation has changed what it asks to see since then. Read it again before you share."), "info")
        else:
            flash(_("That change can no longer be undone here. Use Change below instead."), "info")
        return htmx.redirect(url_for("resident.sharing"))
    _recall_unshared(db)
    db.commit()
    return _done(receipt)


def _recall_unshared(db) -> None:
    """A referral needing what the resident just stopped sharing is taken back, and they are told."""
    recalled = referrals.recall_unshared(db, current_user.id, _actor())
    if recalled:
        flash(ngettext("A referral that needed what you stopped sharing was taken back.",
                       "%(num)d referrals that needed what you stopped sharing were taken back.", len(recalled)), "info")


def _offer_or_404(db, provider_id: str, area: str):
    try:
        return consent.switches.offer(db, current_user.id, provider_id, area)
    except consent.NotShared:
        abort(404)


@bp.get("/sharing/providers/<uid:provider_id>/<part:area>/preview")
def preview(provider_id, area):
    if area == ABOUT_ME:  # its sharing page shows each answer beside its choice
        return htmx.redirect(url_for("resident.share", provider_id=provider_id, area=area))
    db = get_session()
    notice = consent.current_notice(db, provider_id, area)
    if notice is None:
        abort(404)
    provider = db.get(Provider, provider_id)
    data = shared_area(db, current_user.id, area, tuple(notice.fields_shown), request_language())
    return render_template("resident/preview.html", notice=notice, provider=provider, preview=data)


def _change_every(action: str, nothing_to_do: str):
    db = get_session()
    receipt = consent.switches.change_every(db, current_user.id, action, _actor(), _secret())
    db.commit()
    if receipt is None:
        flash(nothing_to_do, "info")
    return _done(receipt)


@bp.post("/sharing/stop")
def stop_all():
    """Stop all sharing now: pause every consent in one go (it can be resumed)."""
    return _change_every("pause", _("Nothing was being shared."))


@bp.post("/sharing/resume")
def resume_all():
    return _change_every("resume", _("Nothing was paused."))


@bp.post("/sharing/grants/<uid:grant_id>/renew")
def renew(grant_id):
    db = get_session()
    try:
        receipt = consent.switches.renew(db, current_user.id, grant_id, _actor(), _secret())
    except consent.NotShared:
        abort(404)
    db.commit()
    return _done(receipt)


@bp.get("/sharing/pending")
def pending_sharing():
    """Consents a tutor recorded for their own provider: nothing is shared until the resident says so."""
    db = get_session()
    rows = consent.switches.pending(db, consent.grants_needing_attention(db, current_user.id)["pending"])
    return render_template("resident/pending.html", rows=rows, button=ButtonForm())


@bp.post("/sharing/grants/<uid:grant_id>/<any(confirm, refuse):answer>")
def answer_pending(grant_id, answer):
    db = get_session()
    try:
        receipt = consent.switches.answer_pending(db, current_user.id, grant_id, answer == "confirm", _actor(), _secret())
    except consent.NotShared:
        abort(404)
    db.commit()
    return _done(receipt)


# --- Receipts and history -----------------------------------------------------------------------


def _own_receipt(code: str):
    receipt = consent.find_receipt(get_session(), code, _secret())
    if receipt is None or receipt.resident_id != current_user.id:
        abort(404)
    return receipt


@bp.get("/receipts/<receipt:code>")
def receipt(code):
    found = _own_receipt(code)
    events, seen = consent.switches.receipt_events(get_session(), found, current_user.id)
    return render_template("resident/receipt.html", receipt=found, events=events, seen=seen)


@bp.get("/receipts/<receipt:code>.json")
def receipt_json(code):
    found = _own_receipt(code)
    return jsonify({**found.content, "mac": found.mac, "check_at": url_for("public.check_receipt", code=found.code, _external=True)})


@bp.get("/sharing/history")
def sharing_history():
    page = _page()
    events, older = consent.switches.history(get_session(), current_user.id, page, PER_PAGE)
    return render_template("resident/sharing_history.html", events=events, page=page, older=older)


def _page() -> int:
    return page_number(request.args.get("page", "1"))


@bp.get("/looked")
def looked():
    """Who has looked at my plan: every access-log entry, newest first."""
    db = get_session()
    page = _page()
    rows, older = consent.switches.looks(db, current_user.id, page, PER_PAGE)
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    first_page = page == 1
    return render_template("resident/looked.html", rows=rows, page=page, older=older,
                           groups=consent.look_groups(db, current_user.id, zone) if first_page else [],
                           unusual=consent.unusual_looks(db, current_user.id, zone) if first_page else [],
                           summary=consent.looks_in_last_30_days(db, current_user.id), button=ButtonForm(),
                           account_changes=setup_codes.changes_by_staff(db, current_user.id) if page == 1 else [])


@bp.post("/looked/<row_id:entry_id>/flag")
def flag_look(entry_id):
    db = get_session()
    entry = consent.flag_look(db, current_user.id, entry_id)
    if entry is None:
        abort(404)
    db.commit()
    flash(_("Thank you. The people who run Me and My Learning will look into it and contact %(provider)s.",
            provider=entry.provider_name), "success")
    return htmx.redirect(url_for("resident.looked", page=request.args.get("page") or None) + f"#look-{entry.id}")
