"""Pages tutors and provider staff share: a resident's page and their shared areas, opened only
through the consent guard, and (for tutors the resident allowed to) recording progress there; and
their organisation's services in the directory ("Our services", ``services``).

Registered once, at ``/staff``; each audience's own pages stay in ``tutor`` and ``provider``."""

from flask import Blueprint

from tracker.models import Role
from tracker.web.roles import restrict_blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
restrict_blueprint(bp, Role.TUTOR, Role.PROVIDER_STAFF)

from tracker.staff import services, views  # noqa: F401  (registers the routes)
