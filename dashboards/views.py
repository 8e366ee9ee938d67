"""The adoption dashboards: /dashboards/ for staff, /movements/<slug>/analytics/ for a movement's leads and staff."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from socialbiz import html, l10n
from socialbiz.replica import read_with_fallback

from . import charts, selectors
from .exports import Table, table_csv
from .forms import DashboardFilterForm
from .privacy import K_ANONYMITY


def _csv_response(table: Table, *, prefix: str) -> HttpResponse:
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{prefix}-{table.name}.csv"'
    return response


def _export(request: HttpRequest, tables: dict[str, Table], *, prefix: str) -> HttpResponse | None:
    name = request.GET.get("export")
    if name is None:
        return None
    if name not in tables:
        raise Http404
    return _csv_response(tables[name], prefix=prefix)


def _needs_postgresql(request: HttpRequest) -> HttpResponse | None:
    """The figures are set-based PostgreSQL SQL; the zero-setup SQLite demo says so instead of failing."""
    if connection.vendor == "postgresql":
        return None
    return render(request, "dashboards/needs_postgresql.html", status=200)


def _page_number(request: HttpRequest) -> int:
    """The ownership table's page, as a bounded number (it is part of a cache key)."""
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 5 else 1


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The results are rendered once per DASHBOARDS_CACHE_SECONDS (selectors.cache_key: range, department,
    day, newest rollup day, language) and ownership page; every request renders the form around them.
    A CSV export is always computed afresh. Queries: session, user, the rollup boundary; and on a
    miss, what selectors.dashboard reads."""
    if not request.user.is_staff:
        raise Http404
    if unavailable := _needs_postgresql(request):
        return unavailable
    form = DashboardFilterForm(request.GET)
    form.is_valid()
    days, department_id = form.filters()
    seconds = settings.DASHBOARDS_CACHE_SECONDS
    key = selectors.cache_key(days=days, department_id=department_id)
    page_number = _page_number(request)
    exporting = "export" in request.GET
    shown = cache.get(f"{key}:page:{page_number}") if seconds and not exporting else None
    if shown is None:
        # The figures may come from the replica; the session, the person and the staff check did not.
        dashboard = read_with_fallback(lambda: selectors.dashboard_for(key))
        if exporting:
            return _export(request, dashboard.tables, prefix=f"dashboard-{dashboard.win.today.isoformat()}")
        shown = {
            "results": render_to_string(
                "dashboards/overview.html#results",
                _results_context(dashboard, days=days, page_number=page_number, cache_minutes=round(seconds / 60)),
                request,
            ),
            "department_options": html.options(
                ((node.id, node.indented_name) for node in dashboard.org.choices()), dashboard.node.id
            ),
            "refused": dashboard.department_refused,
        }
        if seconds:
            cache.set(f"{key}:page:{page_number}", shown, seconds)
    if shown["refused"]:
        form.add_error(
            "department",
            _(
                "That department cannot be shown on its own: it has fewer than %(k)d people, or its figures "
                "would reveal a group that small. Showing the whole organisation."
            )
            % {"k": K_ANONYMITY},
        )
    if request.htmx:
        return HttpResponse(shown["results"])
    return render(
        request,
        "dashboards/overview.html",
        {
            "form": form,
            "days": days,
            "k": K_ANONYMITY,
            "range_choices": selectors.RANGE_CHOICES,
            "department_options": mark_safe(shown["department_options"]),
            "results": mark_safe(shown["results"]),
        },
    )


def _results_context(dashboard: selectors.Dashboard, *, days: int, page_number: int, cache_minutes: int) -> dict:
    return {
        "dash": dashboard,
        "days": days,
        "k": K_ANONYMITY,
        "cache_minutes": cache_minutes,
        "acted_days": settings.NUDGES_ACTED_ON_WITHIN_DAYS,
        # The ownership list can be long: 25 a page here, all of it in the CSV.
        "ownership_page": Paginator(dashboard.ownership["ownership"].rows, selectors.OWNERSHIP_ROWS_SHOWN).get_page(
            page_number
        ),
        "charts": _overview_charts(dashboard),
        "export_query": urlencode({"range": days, "department": dashboard.node.id or ""}) + "&",
    }


def _overview_charts(dash: selectors.Dashboard) -> dict:
    daily = dash.daily_active
    funnel = dash.movements
    weekly = dash.feedback_weekly
    part = dash.participation
    return {
        "daily_active": charts.line_chart(
            dom_id="chart-daily-active",
            title=_("People active per day"),
            explanation=_("Active = did anything in the activity log that day (UTC)."),
            labels=[row[0] for row in daily.rows],
            series=[(_("Active people"), [row[1] for row in daily.rows])],
        ),
        "rate": charts.bar_chart(
            dom_id="chart-participation-rate",
            title=_("Participation rate by department"),
            explanation=_(
                "People in at least one movement as a share of the department's headcount; small groups are left out."
            ),
            labels=part["rate_labels"],
            series=[(_("Participation rate"), part["rate_values"])],
            suffix="%",
        ),
        "funnel": charts.funnel_chart(
            dom_id="chart-funnel",
            title=_("Stage funnel"),
            explanation=_("Movements started in the range and how far they got."),
            steps=[
                (str(row[0]), row[1], l10n.percent(row[2]) if row[2] is not None else "")
                for row in funnel["funnel"].rows
            ],
        ),
        "feedback": charts.bar_chart(
            dom_id="chart-feedback-weekly",
            title=_("What Works and What Doesn't per week"),
            explanation=_("Posts per week (weeks start on Monday), hidden posts left out."),
            labels=[row[0] for row in weekly.rows],
            series=[
                (_("What Works"), [row[1] for row in weekly.rows]),
                (_("What Doesn't"), [row[2] for row in weekly.rows]),
            ],
        ),
        "nudges": _nudges_chart(dash.nudges, dom_id="chart-nudges", title=_("Nudges per kind")),
    }


def _nudges_chart(table: Table, *, dom_id: str, title: str) -> charts.Chart:
    """Read and acted-on rate per kind; kinds hidden for privacy (and kinds never sent) are left out of the chart."""
    shown = [row for row in table.rows if isinstance(row[1], int)]
    return charts.bar_chart(
        dom_id=dom_id,
        title=title,
        explanation=_(
            "Of the nudges sent, the share read in the portal and the share acted on "
            "(the suggested step taken within %(days)d days)."
        )
        % {"days": settings.NUDGES_ACTED_ON_WITHIN_DAYS},
        labels=[row[0] for row in shown],
        series=[(_("Read"), [row[2] or 0 for row in shown]), (_("Acted on"), [row[3] or 0 for row in shown])],
        suffix="%",
    )


@require_GET
def movement_analytics(request: HttpRequest, slug: str) -> HttpResponse:
    movement = selectors.movement_for_analytics(user=request.user, slug=slug)
    if movement is None:
        raise Http404
    if unavailable := _needs_postgresql(request):
        return unavailable
    # The lead check above read the primary (a new co-lead sees this at once); the figures may come from the replica.
    full_chain = request.GET.get("export") == "invitation_chain"
    analytics = read_with_fallback(lambda: selectors.movement_analytics(movement=movement, full_chain=full_chain))
    exported = _export(request, analytics["tables"], prefix=f"movement-{movement.slug}")
    if exported:
        return exported
    followers, share, seats = analytics["followers"], analytics["ownership_over_time"], analytics["seats"]
    context = {
        **analytics,
        "export_query": "",
        "k": K_ANONYMITY,
        "charts": {
            "followers": charts.line_chart(
                dom_id="chart-followers",
                title=_("Followers over time"),
                explanation=_("Members other than the founder who had joined and not left by the end of each week."),
                labels=[row[0] for row in followers.rows],
                series=[(_("Followers"), [row[1] for row in followers.rows])],
            ),
            "ownership": charts.line_chart(
                dom_id="chart-ownership",
                title=_("Ownership share over time"),
                explanation=_(
                    "Share of the week's activity about this movement done by people other than the founder."
                ),
                labels=[row[0] for row in share.rows],
                series=[(_("Done by others"), [row[2] for row in share.rows])],
                max_value=100,
                suffix="%",
            ),
            "seats": charts.bar_chart(
                dom_id="chart-seats",
                title=_("Seats filled"),
                explanation=_("Seats per role, and how many are filled now."),
                labels=[row[0] for row in seats.rows],
                series=[(_("Seats"), [row[1] for row in seats.rows]), (_("Filled"), [row[2] for row in seats.rows])],
            ),
            "nudges": _nudges_chart(analytics["nudges"], dom_id="chart-movement-nudges", title=_("Its nudges' effect")),
        },
    }
    return render(request, "dashboards/movement_analytics.html", context)


@require_GET
def organisation(request: HttpRequest) -> HttpResponse:
    """ "My organisation": how the people below the signed-in person take part, in counts only (never who).
    Someone without reports gets a helpful empty state. Queries: session, user, the counts per subtree;
    with reports also people per movement, those movements, the leads, the sponsors, the manager's own
    sponsorships, the manager's department, What Doesn't posts."""
    if unavailable := _needs_postgresql(request):
        return unavailable
    return render(
        request,
        "dashboards/organisation.html",
        {"org": selectors.my_organisation(manager=request.user), "k": K_ANONYMITY},
    )


@require_GET
def organisation_of(request: HttpRequest, person_id: int) -> HttpResponse:
    """Only your own organisation: another manager's (even a sub-manager's, which would allow subtracting
    one subtree from another) is a 404."""
    if person_id != request.user.pk:
        raise Http404
    return organisation(request)
