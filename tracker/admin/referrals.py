"""The partnership's gap report: where referrals go, how many are taken up, how long a reply
takes, and why they are declined ("no space" and "not eligible" by need are where support is
missing). Counts only, under the ONS 10-5 rule: nothing that could point to a resident."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template

from tracker.admin import bp
from tracker.clock import utcnow
from tracker.domain import referrals
from tracker.domain.consent.caseload import safe_cell
from tracker.models import DeclineReason
from tracker.web.session import get_session


@bp.get("/referrals")
def gap_report():
    db = get_session()
    return render_template("admin/gap_report.html", rows=referrals.gap_report(db), reasons=list(DeclineReason),
                           small=referrals.SMALL)


@bp.get("/referrals.csv")
def gap_report_csv():
    """The same figures as the page; a suppressed count is written "<10", as the page says it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["service", "part_of_plan", "referrals_sent", "accepted_percent", "median_days_to_reply",
                     *[f"declined_{reason.value}" for reason in DeclineReason]])

    def shown(value):
        return f"<{referrals.SMALL}" if value is None else value

    for row in referrals.gap_report(get_session()):
        writer.writerow([safe_cell(row.service), row.area, shown(row.referrals),
                         "" if row.accepted_share is None else row.accepted_share,
                         "" if row.median_days_to_reply is None else row.median_days_to_reply,
                         *[shown(row.declines[reason.value]) for reason in DeclineReason]])
    filename = f"referral-gaps-{utcnow().date().isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

