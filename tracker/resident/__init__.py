"""The resident's own pages."""

from flask import Blueprint

from tracker.access import restrict_blueprint
from tracker.models import Role

bp = Blueprint("resident", __name__, url_prefix="/me")
restrict_blueprint(bp, Role.RESIDENT)

from tracker.resident import (
    mydata,  # noqa: E402,F401
    sharing,  # noqa: E402,F401
    views,  # noqa: E402,F401
)
