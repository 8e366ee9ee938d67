"""The lessons library shows an ended pilot's measures: from baseline to target, the last value recorded by
hand, and whether it was met by the end."""

from datetime import date

import pytest

from movements.models import Decision
from pilots.models import Measure, MeasureValue
from tests.factories import UserFactory
from tests.feedback.test_lessons import LESSONS, decided

pytestmark = pytest.mark.django_db


def test_an_ended_pilot_shows_its_measures_and_what_they_came_to(client):
    movement = decided("Shared calendars", Decision.ADOPT)
    met = Measure.objects.create(
        movement=movement, name="Hours saved", unit="h", direction="up", baseline=10, target=20, source="by_hand"
    )
    MeasureValue.objects.create(measure=met, measured_on=date(2026, 1, 15), value=12)
    MeasureValue.objects.create(measure=met, measured_on=date(2026, 2, 20), value=22)
    missed = Measure.objects.create(
        movement=movement, name="Meetings", unit="per week", direction="down", baseline=8, target=4, source="by_hand"
    )
    MeasureValue.objects.create(measure=missed, measured_on=date(2026, 2, 20), value=6)
    Measure.objects.create(
        movement=movement, name="Never written", unit="x", direction="up", baseline=0, target=5, source="by_hand"
    )
    client.force_login(UserFactory())
    html = client.get(LESSONS).content.decode()
    assert "Hours saved: from 10 to 20 h · last recorded 22 h on 20 Feb 2026 · <strong>met</strong>" in html
    assert "Meetings: from 8 to 4 per week · last recorded 6 per week on 20 Feb 2026 · not met by the end" in html
    assert "Never written: from 0 to 5 x · no value recorded by hand" in html
