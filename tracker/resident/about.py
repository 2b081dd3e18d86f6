"""About me: the resident's own account of their situation, one question per page, each optional
with "I'd rather not say"; the organisations that can see each answer; the history of answers;
and sharing About me with an organisation field by field (special-category fields each with their
own yes). The rules are tracker.domain.about_me's and consent's."""

from __future__ import annotations

from flask import abort, current_app, flash, render_template, request, url_for
from flask_babel import get_locale
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
from tracker.web.session import get_session

MONTHS = ("3", "6", "12")


def _locale() -> str:
    return str(get_locale() or "en")


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


def share_about_me(db, offer):
    """``resident.share`` for About me: the fields the organisation asks for, each with the
    resident's answer now (the preview), ordinary ones as checkboxes, special-category ones each
    with its own yes; how long; "Share this". When already shared: the same choice, to change."""
    notice = offer.notice
    answers = about_me.answers(db, current_user.id)
    support = about_me.support_from_referrals(db, current_user.id)
    specs = [about_me.field(code) for code in notice.fields_shown if about_me.field(code)]
    errors: dict[str, str] = {}
    chosen = set(offer.grant.fields or []) if offer.grant is not None and offer.state in ("active", "paused") else set()
    months = str(offer.grant.duration_months if offer.grant else consent.DEFAULT_DURATION_MONTHS)
    record = False
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        # Ordinary fields are ticked; a special-category one is shared only with its own "Yes".
        ticked = set(request.form.getlist("fields"))
        picked = {s.code for s in specs if (s.code in ticked if not s.sensitive else request.form.get(f"special_{s.code}") == "yes")}
        months = request.form.get("months", "")
        record = request.form.get("record") == "y"
        if not picked & set(notice.fields_shown):
            errors["fields"] = _("Choose at least one thing to share. To share nothing, do not share, or stop sharing.")
        if offer.state not in ("active", "paused") and months not in MONTHS:
            errors["months"] = _("Choose how long to share for")
        if not errors:
            try:
                if offer.state == "paused":
                    flash(_("Start sharing again first, then choose what to share."), "info")
                    return htmx.redirect(url_for("resident.share", provider_id=offer.provider.id, area=ABOUT_ME))
                if offer.state == "active":
                    receipt = consent.switches.choose_fields(db, current_user.id, offer.provider.id, notice_id=request.form.get("notice"),
                                                             fields=sorted(picked), actor=_actor(), secret_key=_secret())
                else:
                    receipt = consent.switches.say_yes(db, current_user.id, offer.provider.id, ABOUT_ME,
                                                       notice_id=request.form.get("notice"), record=record, months=int(months),
                                                       actor=_actor(), secret_key=_secret(), fields=sorted(picked))
            except consent.NotShared:
                abort(404)
            except consent.ConsentError:
                db.rollback()
                flash(_("This organisation has just changed what it asks to see. Read it again before you say yes."), "info")
                return htmx.redirect(url_for("resident.share", provider_id=offer.provider.id, area=ABOUT_ME))
            db.commit()
            if receipt is None:
                return htmx.redirect(url_for("resident.sharing") + f"#p{offer.provider.id}")
            return htmx.redirect(url_for("resident.sharing", changed=receipt.code))
        chosen = picked
    previous = db.get(SharingNotice, offer.grant.notice_id) if offer.grant is not None and offer.state == "on_hold" else None
    special_why = {code: [localise(p["text"], _locale()) for p in notice.purposes if code in p.get("special", [])]
                   for code in notice.fields_shown}
    return render_template(
        "resident/share_about_me.html", notice=notice, provider=offer.provider, state=offer.state, grant=offer.grant,
        specs=specs, answers={s.code: answer_lines(s, answers.get(s.code), support) for s in specs}, chosen=chosen,
        months=months, record=record, errors=errors, special_why=special_why, previous=previous,
        last_looked_at=consent.last_looks(db, current_user.id).get(offer.grant.id) if offer.grant is not None else None,
        can_renew=offer.grant is not None and offer.state == "active" and offer.grant.valid_until - utcnow() <= consent.RENEWAL_WINDOW,
    ), 400 if errors else 200


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _actor() -> consent.ConsentActor:
    return consent.ConsentActor.resident(current_user, channel="web_js" if htmx.is_htmx_request() else "web_nojs")
