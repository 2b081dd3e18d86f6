"""The resident's own pages."""

from flask import Blueprint

from ..access import restrict_blueprint
from ..models import Role

bp = Blueprint("resident", __name__, url_prefix="/me")
restrict_blueprint(bp, Role.RESIDENT)

from . import views  # noqa: E402,F401
from . import sharing  # noqa: E402,F401
from . import mydata  # noqa: E402,F401
