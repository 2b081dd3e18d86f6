"""The resident's own pages."""

from flask import Blueprint

from tracker.models import Role
from tracker.web.roles import restrict_blueprint

bp = Blueprint("resident", __name__, url_prefix="/me")
restrict_blueprint(bp, Role.RESIDENT)

from tracker.resident import (
    about,  # noqa: F401
    contact,  # noqa: F401
    mydata,  # noqa: F401
    referrals,  # noqa: F401
    sharing,  # noqa: F401
    views,  # noqa: F401
)
