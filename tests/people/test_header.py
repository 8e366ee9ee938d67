"""Where things are: moderators see the open reports in the header; the user menu has notification settings
and privacy."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import Report
from tests.factories import FeedbackFactory, UserFactory


@pytest.fixture
def reports(db):
    reporter = UserFactory()
    for _ in range(2):
        Report.objects.create(feedback=FeedbackFactory(), reporter=reporter, reason="Rude")
    Report.objects.create(feedback=FeedbackFactory(), reporter=reporter, reason="Done", resolved_at="2026-01-01T00:00Z")


def test_a_moderator_sees_the_open_reports_in_the_header(client, reports):
    client.force_login(UserFactory(is_moderator=True))
    page = client.get("/").content.decode()
    assert '<a class="reports-link" href="/feedback/moderation/">2 open reports</a>' in page


def test_someone_who_cannot_moderate_sees_no_report_count_and_costs_no_query_for_it(client, reports):
    person = UserFactory()
    client.force_login(person)
    assert "open report" not in client.get("/").content.decode()
    # The same page for a moderator costs exactly one query more (the COUNT).
    with CaptureQueriesContext(connection) as plain:
        client.get("/")
    person.is_moderator = True
    person.save()
    with CaptureQueriesContext(connection) as moderating:
        client.get("/")
    assert len(moderating) == len(plain) + 1


def test_the_user_menu_has_notification_settings_and_privacy(client, person):
    client.force_login(person)
    menu = client.get("/").content.decode().split('<ul class="menu">')[1].split("</ul>")[0]
    assert 'href="/settings/notifications/"' in menu and "Notification settings" in menu
    assert 'href="/settings/privacy/"' in menu
