"""Who may open which part of the service, by role. (What staff may see of a *resident* is decided
elsewhere, by the consent module; this only keeps each audience on its own pages.)"""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user, login_required

from tracker.models import Role, User

HOME_ENDPOINTS = {
    Role.RESIDENT: "resident.home",
    Role.TUTOR: "tutor.home",
    Role.PROVIDER_STAFF: "provider.home",
    Role.ADMIN: "admin.home",
}


def home_url(user: User) -> str:
    return url_for(HOME_ENDPOINTS[Role(user.role)])


def restrict_blueprint(bp, *roles: Role) -> None:
    """Every route of ``bp`` needs one of ``roles``, so a new route cannot forget the check."""

    allowed = {str(role) for role in roles}

    @bp.before_request
    @login_required
    def _check_role():
        if current_user.role not in allowed:
            abort(403)
