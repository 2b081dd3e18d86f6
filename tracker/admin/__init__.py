"""The partnership's administration: providers, staff accounts and the goal catalogue."""

from flask import Blueprint

from tracker.models import Role
from tracker.web.roles import restrict_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict_blueprint(bp, Role.ADMIN)


@bp.before_request
def _one_change_at_a_time():
    """An administrator's changes run one after another (a double-submitted form then finds the
    first one's result: a name taken, a notice unchanged, a request answered)."""
    from flask import request
    from flask_login import current_user

    from tracker.domain.locks import lock_people
    from tracker.web.session import get_session

    if request.method == "POST":
        lock_people(get_session(), [current_user.id])

from tracker.admin import outbox, referrals, views  # noqa: F401
