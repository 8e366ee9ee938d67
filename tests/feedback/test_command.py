from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from feedback import publication
from feedback.models import Feedback, Kind
from people.models import User
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_publish_anonymous_runs_one_tick_and_says_what_it_did(settings):
    settings.ANONYMITY_MIN_CROWD = 1
    person = UserFactory()
    publication.anonymous_enqueue(person=person, kind=Kind.WORKS, title="From the demo", body="b")
    out = StringIO()
    call_command("publish_anonymous", stdout=out)
    assert "published 0 anonymous post(s); 1 waiting" in out.getvalue()  # nobody active yet
    User.objects.filter(pk=person.pk).update(last_login=timezone.now())
    call_command("publish_anonymous", stdout=out)
    assert "published 1 anonymous post(s); 0 waiting" in out.getvalue()
    assert Feedback.objects.get().title == "From the demo"
