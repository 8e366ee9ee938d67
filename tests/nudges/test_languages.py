"""A nudge is written in the recipient's language and time zone, not the worker's: a real worker whose
default is English sends a German colleague German mail (real SMTP), and the unsubscribe page the mail
links to speaks German to a signed-out visitor."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.utils import translation

from nudges.messages import message_for
from nudges.models import Nudge
from tests.factories import MovementFactory, UserFactory

from .conftest import wait_for
from .test_delivery import join, welcome_key

pytestmark = pytest.mark.slow


def test_a_german_colleague_gets_german_mail_and_an_english_one_english(
    celery_processes, smtp_server, client, settings
):
    assert settings.LANGUAGE_CODE == "en"
    movement = MovementFactory(title="Working out loud")
    german = UserFactory(display_name="Greta Gruber", language="de", time_zone="Europe/Berlin")
    english = UserFactory(display_name="Ellen English")

    join(movement, german)
    join(movement, english)

    german_key, english_key = welcome_key(movement, german), welcome_key(movement, english)
    wait_for(
        lambda: smtp_server.per_key()[german_key] == 1 and smtp_server.per_key()[english_key] == 1,
        timeout=60,
        message=lambda: f"both welcome emails {celery_processes.task_lines()}",
    )
    nudge = Nudge.objects.get(dedupe_key=german_key)
    with translation.override("de"):
        expected = message_for(nudge)
    with translation.override("en"):
        in_english = message_for(nudge)
    assert expected.subject != in_english.subject  # the catalogue really translates it

    mail = smtp_server.for_key(german_key)[0]
    assert " ".join(str(mail["Subject"]).split()) == " ".join(expected.subject.split())
    text = mail.get_body(("plain",)).get_content()
    with translation.override("de"):
        footer = translation.gettext("Stop these emails:")
    assert footer != "Stop these emails:" and footer in text
    assert "Greta Gruber" in text and "Working out loud" in text

    english_mail = smtp_server.for_key(english_key)[0]
    with translation.override("en"):
        expected_english = message_for(Nudge.objects.get(dedupe_key=english_key)).subject
    assert " ".join(str(english_mail["Subject"]).split()) == " ".join(expected_english.split())

    # The one-click link opens a page in German for a signed-out visitor with an English browser.
    unsubscribe = urlsplit(str(mail["List-Unsubscribe"]).strip().strip("<>")).path
    page = client.get(unsubscribe, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="de"' in page
