"""A person's picture: uploaded, checked (type, size, dimensions), re-encoded without metadata, shown in a
fixed-size circle, initials otherwise; a bad or too-big file is the form with a message, never a 500."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from people import services
from people.models import Avatar, User
from tests.factories import MovementFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("people:avatar_settings")


def picture(size=(400, 300), fmt="JPEG", mode="RGB", exif: bool = False, name: str = "me.jpg") -> SimpleUploadedFile:
    image = Image.new(mode, size, (10, 120, 200) if mode == "RGB" else None)
    out = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x9286] = "taken at home"  # UserComment
        extra["exif"] = data.tobytes()
    image.save(out, format=fmt, **extra)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def person(client):
    person = UserFactory(display_name="Ada Lovelace")
    client.force_login(person)
    return person


def test_an_uploaded_photo_becomes_a_square_jpeg_without_its_metadata(client, person):
    upload = picture(exif=True)
    assert b"SecretCam" in upload.read()
    upload.seek(0)
    response = client.post(URL, {"picture": upload})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.avatar_version == 1
    stored = bytes(Avatar.objects.get(person=person).image)
    image = Image.open(io.BytesIO(stored))
    assert (image.format, image.size) == ("JPEG", (256, 256))
    assert b"SecretCam" not in stored and b"Exif" not in stored and not image.getexif()


def test_the_picture_is_shown_in_a_circle_and_colleagues_can_load_it_with_a_lasting_cache(client, person):
    client.post(URL, {"picture": picture(fmt="PNG", mode="RGBA", name="me.png")})
    person.refresh_from_db()
    src = reverse("people:avatar", kwargs={"pk": person.pk, "version": 1})
    page = client.get(reverse("home")).content.decode()
    assert f'<span class="avatar has-picture" aria-hidden="true"><img src="{src}" alt=""' in page
    client.force_login(UserFactory())
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.content == bytes(Avatar.objects.get(person=person).image)


def test_a_new_picture_gets_a_new_address_and_the_old_one_is_gone(client, person):
    client.post(URL, {"picture": picture()})
    client.post(URL, {"picture": picture(size=(100, 100))})
    assert client.get(reverse("people:avatar", kwargs={"pk": person.pk, "version": 1})).status_code == 404
    assert client.get(reverse("people:avatar", kwargs={"pk": person.pk, "version": 2})).status_code == 200


def test_without_a_picture_the_initials_are_shown_and_the_address_is_404(client, person):
    page = client.get(reverse("home")).content.decode()
    assert '<span class="avatar" aria-hidden="true">AL</span>' in page
    assert client.get(reverse("people:avatar", kwargs={"pk": person.pk, "version": 0})).status_code == 404
    assert client.get(reverse("people:avatar", kwargs={"pk": person.pk, "version": 1})).status_code == 404


def test_a_signed_out_visitor_cannot_load_a_picture(client, person):
    client.post(URL, {"picture": picture()})
    client.logout()
    response = client.get(reverse("people:avatar", kwargs={"pk": person.pk, "version": 1}))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("me.png", b"not a picture at all", content_type="image/png"),
            "is not a picture we can read",
        ),
        (SimpleUploadedFile("me.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, content_type="image/jpeg"), "not a picture"),
        (
            SimpleUploadedFile("me.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', content_type="image/svg+xml"),
            "not a picture",
        ),
        (picture(size=(9000, 40), fmt="PNG"), "9000 × 40 pixels; at most 8000"),
        (picture(size=(20, 20), fmt="PNG"), "at least 32 pixels"),
        (SimpleUploadedFile("me.jpg", b"", content_type="image/jpeg"), "empty"),
    ],
    ids=["text", "truncated-jpeg", "svg", "too-wide", "too-small", "empty"],
)
def test_a_bad_file_is_the_form_with_a_clear_message_and_nothing_saved(client, person, upload, message):
    response = client.post(URL, {"picture": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and 'id="picture-errors" role="alert"' in page
    assert not Avatar.objects.exists() and User.objects.get(pk=person.pk).avatar_version == 0


def test_an_upload_over_the_limit_is_dropped_while_reading_and_answered_with_the_form(client, person, settings):
    settings.AVATAR_MAX_UPLOAD_BYTES = 100_000
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"x" * 400_000, content_type="image/jpeg")
    response = client.post(URL, {"picture": big})
    assert response.status_code == 400
    assert "That file is larger than 0.1 MB" in response.content.decode()
    assert not Avatar.objects.exists()


def test_the_csrf_check_still_applies_to_the_upload(person):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    assert strict.post(URL, {"picture": picture()}).status_code == 403
    assert not Avatar.objects.exists()


def test_removing_the_picture_goes_back_to_initials(client, person):
    client.post(URL, {"picture": picture()})
    assert client.post(URL, {"remove": "yes"}).status_code == 302
    person.refresh_from_db()
    assert person.avatar_version == 0 and not Avatar.objects.exists()


def test_erasing_a_person_deletes_their_picture(client, person):
    client.post(URL, {"picture": picture()})
    services.person_erase(person=person)
    assert not Avatar.objects.exists() and User.objects.get(pk=person.pk).avatar_version == 0


def page_shows_pictures(page: str) -> bool:
    return page.count("has-picture") >= 3


def test_pictures_cost_no_query_on_the_movement_list(client, person):
    """The picture's address comes from the person's row: the list costs the same with or without pictures."""
    movements = [MovementFactory() for _ in range(3)]
    client.get(reverse("movements:list"))
    with CaptureQueriesContext(connection) as without:
        client.get(reverse("movements:list"))
    for movement in movements:
        services.avatar_set(person=movement.founder, upload=picture())
    # A new picture changes the cards: the first view reads the page again (socialbiz/versions.py), the next
    # comes from the cache, as the one measured without pictures did.
    assert page_shows_pictures(client.get(reverse("movements:list")).content.decode())
    with CaptureQueriesContext(connection) as with_pictures:
        page = client.get(reverse("movements:list")).content.decode()
    assert page.count("has-picture") >= 3
    assert len(with_pictures) == len(without)
