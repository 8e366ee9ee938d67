"""The header and user menu links, reversed once per process (socialbiz/context_processors.py)."""

import pytest
from django.urls import reverse, set_script_prefix

from socialbiz.context_processors import NAV_URL_NAMES, nav_urls
from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_header_link_is_on_the_page_and_goes_where_its_name_says(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    html = client.get(reverse("movements:list")).content.decode()
    for name in NAV_URL_NAMES:
        assert f'"{reverse(name)}"' in html, name
    assert f'href="{reverse("person", args=[staff.pk])}"' in html


@pytest.mark.django_db
def test_a_plain_employee_sees_no_staff_or_moderation_link(client):
    client.force_login(UserFactory())
    html = client.get(reverse("movements:list")).content.decode()
    assert reverse("admin:index") not in html and reverse("feedback:moderation") not in html
    assert f'href="{reverse("people:privacy")}"' in html


def test_the_links_follow_the_script_prefix_they_are_served_under():
    try:
        set_script_prefix("/portal/")
        assert nav_urls("/portal/")["people_privacy"] == reverse("people:privacy")
        assert nav_urls("/portal/")["people_privacy"].startswith("/portal/")
    finally:
        set_script_prefix("/")
    assert not nav_urls("/")["people_privacy"].startswith("/portal/")
