"""Tutors' pages: the residents who share their plan with the tutor's provider."""

from flask import Blueprint

from ..access import restrict_blueprint
from ..models import Role

bp = Blueprint("tutor", __name__, url_prefix="/tutor")
restrict_blueprint(bp, Role.TUTOR)

from . import views  # noqa: E402,F401
