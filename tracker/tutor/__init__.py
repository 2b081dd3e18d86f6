"""Tutors' pages: the residents who share their plan with the tutor's provider."""

from flask import Blueprint

from tracker.models import Role
from tracker.web.roles import restrict_blueprint

bp = Blueprint("tutor", __name__, url_prefix="/tutor")
restrict_blueprint(bp, Role.TUTOR)

from tracker.tutor import views  # noqa: F401
