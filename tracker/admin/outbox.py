"""The outbox, in development only: the texts that would have gone through GOV.UK Notify when no
API key is set, with their words, so the service can be tried without a phone. Where the service
runs for real there is no such page (a 404): nobody reads residents' texts or numbers."""

from __future__ import annotations

from flask import abort, current_app, render_template
from flask_babel import gettext as _
from sqlmodel import col, select

from tracker.admin import bp
from tracker.domain.texts import Outbox, settings_of, shown
from tracker.models import TextChannel, TextMessage, User
from tracker.web.session import get_session
from tracker.web.text_wording import words

OUTBOX_AT_MOST = 50


@bp.get("/outbox")
def outbox():
    if not current_app.config.get("DEVELOPMENT") or current_app.config.get("NOTIFY_API_KEY"):
        abort(404)
    db = get_session()
    rows = db.exec(select(TextMessage, User).join(User, User.id == TextMessage.resident_id)
                   .order_by(col(TextMessage.created_at).desc()).limit(OUTBOX_AT_MOST)).all()
    texts = [(message, resident, shown(message.to) if message.channel == TextChannel.SMS else message.to,
              Outbox.bodies.get(message.notify_id or "") or words(message, settings_of(db, message.resident_id)))
             for message, resident in rows]
    return render_template("admin/outbox.html", texts=texts, kept=Outbox.bodies,
                           channels={TextChannel.SMS: _("Text"), TextChannel.LETTER: _("Letter"), TextChannel.EMAIL: _("Email")})
