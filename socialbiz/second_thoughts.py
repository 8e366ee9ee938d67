"""Second thoughts: a weighty action asks once more on templates/confirm.html before it acts.

The rule lives here once: only a POST carrying confirmed=yes (the confirmation page's own button, or an htmx
button that asked with hx-confirm and sends hx-vals) does the thing; anything else gets the page. Views that
show the page on GET and act on any POST (their button is a GET without JavaScript) use only ask_to_confirm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmed(request: HttpRequest) -> bool:
    """True for the confirmed POST; a GET, or a first POST from the page's button, is not."""
    return request.method == "POST" and request.POST.get("confirmed") == "yes"


def ask_to_confirm(
    request: HttpRequest,
    *,
    heading: str,
    consequences: Sequence[str],
    confirm_label: str,
    cancel_url: str,
    action: str | None = None,
    hidden: Iterable[tuple[str, object]] = (),
    subject: str | None = None,
    back_label: str | None = None,
) -> HttpResponse:
    """The confirmation page: what will happen, the button that posts confirmed=yes (with `hidden` carried
    along) to `action` (this URL unless given), and a way back to `cancel_url`. Nothing is changed here."""
    return render(
        request,
        "confirm.html",
        {
            "heading": heading,
            "consequences": consequences,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "action": action or request.path,
            "hidden": list(hidden),
            "subject": subject,
            "back_label": back_label,
        },
    )
