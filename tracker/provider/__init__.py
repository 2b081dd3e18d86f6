"""Provider staff pages: dashboards of residents who chose to share with the provider."""

from flask import Blueprint

from tracker.models import Role
from tracker.web.roles import restrict_blueprint

bp = Blueprint("provider", __name__, url_prefix="/provider")
restrict_blueprint(bp, Role.PROVIDER_STAFF)

from tracker.provider import views  # noqa: F401
