"""The directory's Open Referral UK feed: public, read-only JSON in HSDS 3.0 shapes, for other
directories and apps to read the partnership's services. It never holds anything about a resident."""

from flask import Blueprint

bp = Blueprint("openreferral", __name__, url_prefix="/openreferral")

from tracker.openreferral import views  # noqa: F401  (registers the routes)
