"""The directory's Open Referral UK feed: public, read-only JSON in HSDS 3.0 shapes, for other
directories and apps to read the partnership's services. It never holds anything about a resident."""

from flask import Blueprint

bp = Blueprint("openreferral", __name__, url_prefix="/openreferral")


@bp.record_once
def _errors_as_json(state) -> None:
    # Errors under the feed's addresses are JSON (tracker/web/errors.py), even where no route matched.
    state.app.extensions.setdefault("json_error_paths", []).append(f"{state.url_prefix}/")


from tracker.openreferral import views  # noqa: F401  (registers the routes)
