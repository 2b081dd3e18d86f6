"""The partnership's administration: providers, staff accounts and the goal catalogue."""

from flask import Blueprint

from ..access import restrict_blueprint
from ..models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict_blueprint(bp, Role.ADMIN)

from . import views  # noqa: E402,F401
