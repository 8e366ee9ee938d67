"""Every page costs the same number of SQL queries at the small demo scale and at a larger one.

The larger organisation is the `--scale large` seed at 1% (200 people, 2,000 memberships, 20,000
activity rows) on top of the demo: enough to expose any query that grows with the data.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import Feedback
from movements.models import Movement
from people.models import User

# Queries per page for a signed-in staff member (each app's view tests list what the queries are), on the
# second view of a page: the movement page reads its people (members, roles, chain) from the cache, and
# analytics the invitation chain's tree (more queries on the first view after a change to the members). Staff can moderate, so every
# page also counts the open reports for the header link (one COUNT).
BUDGETS = {
    "home": 5,
    # session (+ person, department: one query), content versions, invitations, open reports (the page and the
    # options: cached)
    "movement list": 4,
    "movement list, page 2": 4,
    # + am I watching it, colleagues of the viewer's department following it (one query, issue 20), the
    # content versions of its lower half; its people (first followers, leads, roles, members, chain) and its
    # lower half (measures and pulses, updates and replies, timeline, sponsors, linked feedback) come from
    # the cache (issue 19), with one query for the names and pictures shown and one for the viewer's membership
    "movement page": 10,
    # session (+ person, department), content versions, my votes on the page, open reports
    "feedback list": 4,
    # the content versions, the post's head (my vote rides on it), am I watching it, open reports: its
    # content (text, topics, comments, answers) comes from the cache (issue 19)
    "feedback post": 5,
    "notifications": 3,
    "dashboards": 16,  # + the pilots section: measures, decision participation, pulse response rates
    "movement analytics": 14,  # + the pilot's measures and pulses
    "my organisation": 8,
}


def page_urls() -> dict[str, str]:
    popular = Movement.objects.filter(department__isnull=True).order_by("-follower_count", "pk").first()
    post = Feedback.objects.filter(movement__isnull=True, hidden_at__isnull=True).order_by("-vote_count", "pk").first()
    return {
        "home": "/",
        "movement list": "/movements/",
        "movement list, page 2": "/movements/?page=2",
        "movement page": popular.get_absolute_url(),
        "feedback list": "/feedback/",
        "feedback post": post.get_absolute_url(),
        "notifications": "/notifications/",
        "dashboards": "/dashboards/",
        "movement analytics": f"{popular.get_absolute_url()}analytics/",
        "my organisation": "/organisation/",
    }


def count_queries(client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        client.get(url)  # one warm-up: per-process caches (content types, site settings) are not per page
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
def test_every_page_costs_the_same_queries_at_small_and_large_scale(client, settings):
    settings.DASHBOARDS_CACHE_SECONDS = 0  # the dashboard's cost when it computes its figures
    call_command("seed_demo", stdout=StringIO())
    admin = User.objects.get(email="admin@example.com")  # staff: sees every page, dashboards included
    client.force_login(admin)

    urls = page_urls()
    small = count_queries(client, urls)
    assert small == BUDGETS

    call_command("seed_demo", "--scale", "large", "--factor", "0.01", stdout=StringIO())
    assert Movement.objects.count() > 20 and User.objects.count() > 250
    # The same pages, now inside a much larger organisation...
    assert count_queries(client, urls) == small
    # ...and the largest movement and most-voted post of the large seed cost no more. (They can cost
    # less: a prefetch is skipped when there is nothing to prefetch, e.g. a movement without updates.)
    large_objects = page_urls()
    for name in ("movement page", "feedback post", "movement analytics"):
        assert large_objects[name] != urls[name]
        assert count_queries(client, {name: large_objects[name]})[name] <= small[name]
