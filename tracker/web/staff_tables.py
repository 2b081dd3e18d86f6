"""The rows of the staff lists' tables, written out in Python: the provider's dashboard and the
tutor's caseload show 25 residents a page, up to 75 rows of six cells, and through Jinja those
rows cost a county dashboard page about 5 ms of its 10 ms of rendering (docs/benchmarks.md,
"Staff lists, built once"). The templates keep the table, its caption and headers.

Everything that comes from a resident's record (names, ids) is escaped; the fixed words and the
area and stage names are translated and escaped once per page.
"""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup

from tracker.web.templating import long_date, name_in, request_translations
from tracker.web.templating import text_html as _html
from tracker.web.wording import AREA_SHORT_NAMES, STAGE_NAMES


def _resident_link(row) -> str:
    link = f'<a class="govuk-link" href="{_html(url_for("staff.resident", resident_id=row.id))}">{_html(row.name)}</a>'
    if getattr(row, "about_me_changed_at", None) is not None:
        _ = request_translations().ugettext
        link += (f'<br><strong class="govuk-tag govuk-tag--purple govuk-!-margin-top-1">{_html(_("About me changed"))}'
                 f'<span class="govuk-visually-hidden"> {_html(_("since you last looked"))}</span></strong>')
    return link


def dashboard_rows(page) -> Markup:
    """The provider dashboard's rows: one per area a resident shares, the name spanning them."""
    _ = request_translations().ugettext
    area_label, stage_label, goals_label = _html(_("Part of the plan")), _html(_("Stage: first → now")), _html(_("Goals done"))
    steps_label, last_label = _html(_("Steps in 30 days")), _html(_("Last activity"))
    dash = "–"
    out = []
    for row in page.rows:
        for n, a in enumerate(row.areas):
            out.append('<tr class="govuk-table__row">\n')
            if n == 0:
                out.append(f'<th scope="row" class="govuk-table__header" rowspan="{len(row.areas)}">{_resident_link(row)}</th>\n')
            if a.latest_stage:
                stage = (f"{a.first_stage} {_html(name_in(STAGE_NAMES, a.first_stage))} → "
                         f"{a.latest_stage} {_html(name_in(STAGE_NAMES, a.latest_stage))}")
            else:
                stage = dash
            goals = dash if a.goals_done is None else a.goals_done
            steps = dash if a.steps_recently is None else a.steps_recently
            last = _html(long_date(a.last_activity)) if a.last_activity else dash
            out.append(
                f'<td data-label="{area_label}" class="govuk-table__cell">{_html(name_in(AREA_SHORT_NAMES, a.area))}</td>\n'
                f'<td data-label="{stage_label}" class="govuk-table__cell">{stage}</td>\n'
                f'<td data-label="{goals_label}" class="govuk-table__cell govuk-table__cell--numeric">{goals}</td>\n'
                f'<td data-label="{steps_label}" class="govuk-table__cell govuk-table__cell--numeric">{steps}</td>\n'
                f'<td data-label="{last_label}" class="govuk-table__cell">{last}</td>\n'
                "</tr>\n"
            )
    return Markup("".join(out))  # noqa: S704 (every value from a record is escaped above)


def caseload_rows(page) -> Markup:
    """The tutor's caseload rows: a resident each, with what they share and their last activity."""
    can_record = _html(request_translations().ugettext("can record"))
    out = []
    for row in page.rows:
        shared = ", ".join(_html(name_in(AREA_SHORT_NAMES, a.area)) + (f" ({can_record})" if "record_progress" in a.modes else "")
                           for a in row.areas)
        last = max((a.last_activity for a in row.areas if a.last_activity), default=None)
        out.append(
            '<tr class="govuk-table__row">\n'
            f'<td class="govuk-table__cell">{_resident_link(row)}</td>\n'
            f'<td class="govuk-table__cell">{shared}</td>\n'
            f'<td class="govuk-table__cell">{_html(long_date(last)) if last else "–"}</td>\n'
            "</tr>\n"
        )
    return Markup("".join(out))  # noqa: S704 (every value from a record is escaped above)


def init_app(app) -> None:
    app.add_template_global(dashboard_rows)
    app.add_template_global(caseload_rows)
