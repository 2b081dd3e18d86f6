"""Provider staff pages: dashboards of residents who chose to share with the provider."""

from flask import Blueprint

from ..access import restrict_blueprint
from ..models import Role

bp = Blueprint("provider", __name__, url_prefix="/provider")
restrict_blueprint(bp, Role.PROVIDER_STAFF)

from . import views  # noqa: E402,F401
