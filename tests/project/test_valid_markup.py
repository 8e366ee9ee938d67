"""Valid markup: every <time datetime> is a valid HTML date-time (no microseconds, which |date:'c' printed)."""

import re

import pytest
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Kind
from movements import services
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from tests.factories import UserFactory

# HTML's "valid global date and time string" with seconds and an offset, as we print it.
VALID = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$")


@pytest.mark.django_db
def test_every_time_element_has_a_datetime_without_microseconds(client):
    founder, member = UserFactory(), UserFactory()
    movement = services.movement_start(founder=founder, title="Quiet hours", pitch="Focus.")
    services.membership_join(movement=movement, person=member)
    services.update_post(movement=movement, author=member, body="Week one went well.")
    post = feedback_services.feedback_post(
        person=member, kind=Kind.WORKS, title="Quiet mornings", body="Yes.", anonymous=False
    )
    Nudge.objects.create(
        kind=NudgeKind.WEEKLY_DIGEST, recipient=member, dedupe_key="t", sent_at=timezone.now(), in_app=True
    )
    client.force_login(member)
    values = []
    for url in (movement.get_absolute_url(), post.get_absolute_url(), "/notifications/"):
        values += re.findall(r'<time datetime="([^"]*)"', client.get(url).content.decode())
    assert len(values) >= 5  # members (2), the update, the stage change, the post, the notification
    assert [value for value in values if not VALID.match(value)] == []
