"""About me: the resident's own account of their situation, one question per page, each optional
with "I'd rather not say"; the organisations that can see each answer; the history of answers;
and sharing About me with an organisation field by field (special-category fields each with their
own yes). The rules are tracker.domain.about_me's and consent's."""

from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.clock import utcnow
from tracker.domain import about_me, consent
from tracker.domain.catalogue import localise
from tracker.models import ABOUT_ME, SharingNotice
from tracker.resident import bp
from tracker.web import htmx
from tracker.web.about_me_pages import answer_lines, handle
from tracker.web.forms import ButtonForm
from tracker.web.i18n import request_language
from tracker.web.session import get_session

MONTHS = ("3", "6", "12")


@bp.get("/about")
def about():
    """Every question, by section, with the answer now and who can see it."""
    db = get_session()
    answers = about_me.answers(db, current_user.id)
    support = about_me.support_from_referrals(db, current_user.id)
    rows = {}
    for code, spec in about_me.fields().items():
        rows.setdefault(spec.section, []).append((spec, answer_lines(spec, answers.get(code), support), answers.get(code)))
    return render_template("resident/about.html", sections=about_me.sections(), rows=rows,
                           shared_with=consent.about_me_shared_with(db, current_user.id),
                           asks=_organisations_asking(db))


def _organisations_asking(db) -> list:
    """The organisations with a notice for About me (the resident can share with them)."""
    return [n for n in consent.current_notices(db) if n.area == ABOUT_ME]


@bp.route("/about/<about_field:code>", methods=["GET", "POST"])
def about_question(code):
    db = get_session()
    spec = about_me.field(code)
    shared_with = consent.about_me_shared_with(db, current_user.id).get(code, [])
    return handle(db, current_user.id, spec, about_me.Entrant.resident(current_user), template="resident/about_question.html",
                  done=lambda: htmx.redirect(url_for("resident.about") + f"#{code}"), shared_with=shared_with)


@bp.get("/about/history")
def about_history():
    """Every answer given, newest first: what changed, when, and who wrote it."""
    db = get_session()
    return render_template("resident/about_history.html", entries=about_me.history(db, current_user.id),
                           fields=about_me.fields(), support=about_me.support_from_referrals(db, current_user.id))


# --- Sharing About me with an organisation --------------------------------------------------------


def share_about_me(db, offer, actor: consent.ConsentActor, secret_key: str):
    """``resident.share`` for About me: the fields the organisation asks for, each with the
    resident's answer now (the preview), ordinary ones as checkboxes, special-category ones each
    with its own yes; how long; "Share this". When already shared: the same choice, to change."""
    notice, provider = offer.notice, offer.provider
    here = url_for("resident.share", provider_id=provider.id, area=ABOUT_ME)
    specs = [about_me.field(code) for code in notice.fields_shown if about_me.field(code)]
    errors: dict[str, str] = {}
    chosen = set(offer.grant.fields or []) if offer.grant is not None and offer.state in ("active", "paused") else set()
    months = str(offer.grant.duration_months if offer.grant else consent.DEFAULT_DURATION_MONTHS)
    record = False
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        if offer.state == "paused":  # (the page offers no choice then: a form from before the pause)
            flash(_("Start sharing again first, then choose what to share."), "info")
            return htmx.redirect(here)
        # Ordinary fields are ticked; a special-category one is shared only with its own "Yes".
        ticked = set(request.form.getlist("fields"))
        chosen = {s.code for s in specs if (s.code in ticked if not s.sensitive else request.form.get(f"special_{s.code}") == "yes")}
        months, record = request.form.get("months", ""), request.form.get("record") == "y"
        if not chosen:
            errors["fields"] = _("Choose at least one thing to share. To share nothing, do not share, or stop sharing.")
        if offer.state != "active" and months not in MONTHS:
            errors["months"] = _("Choose how long to share for")
        if not errors:
            return _save_choice(db, offer, sorted(chosen), int(months) if offer.state != "active" else None, record, actor, secret_key)
    answers = about_me.answers(db, current_user.id)
    support = about_me.support_from_referrals(db, current_user.id)
    previous = db.get(SharingNotice, offer.grant.notice_id) if offer.grant is not None and offer.state == "on_hold" else None
    special_why = {code: [localise(p["text"], request_language()) for p in notice.purposes if code in consent.special_fields_for(notice, p["code"])]
                   for code in notice.fields_shown}
    return render_template(
        "resident/share_about_me.html", notice=notice, provider=provider, state=offer.state, grant=offer.grant,
        specs=specs, answers={s.code: answer_lines(s, answers.get(s.code), support) for s in specs}, chosen=chosen,
        months=months, record=record, errors=errors, special_why=special_why, previous=previous,
        last_looked_at=consent.last_looks(db, current_user.id).get(offer.grant.id) if offer.grant is not None else None,
        can_renew=offer.grant is not None and offer.state == "active" and offer.grant.valid_until - utcnow() <= consent.RENEWAL_WINDOW,
    ), 400 if errors else 200


def _save_choice(db, offer, fields: list[str], months: int | None, record: bool, actor, secret_key: str):
    """Share these answers (a first yes, or yes again after a change: ``months``), or, already
    sharing, share these instead; then back to the sharing page with its receipt."""
    provider_id, notice_id = offer.provider.id, request.form.get("notice")
    try:
        if months is None:
            receipt = consent.switches.choose_fields(db, current_user.id, provider_id, notice_id=notice_id, fields=fields,
                                                     actor=actor, secret_key=secret_key)
        else:
            receipt = consent.switches.say_yes(db, current_user.id, provider_id, ABOUT_ME, notice_id=notice_id, record=record,
                                               months=months, actor=actor, secret_key=secret_key, fields=fields)
    except consent.NotShared:
        abort(404)
    except consent.ConsentError:
        db.rollback()
        flash(_("This organisation has just changed what it asks to see. Read it again before you say yes."), "info")
        return htmx.redirect(url_for("resident.share", provider_id=provider_id, area=ABOUT_ME))
    db.commit()
    if receipt is None:
        return htmx.redirect(url_for("resident.sharing") + f"#p{provider_id}")
    return htmx.redirect(url_for("resident.sharing", changed=receipt.code))
