"""A lead marks their movement as superseded by a better one (with a confirmation); its members are invited there."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from socialbiz.forms import TextField
from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import services, superseding
from .models import Movement
from .views import _movement_or_404


class SupersedeForm(forms.Form):
    by = forms.CharField(
        label=gettext_lazy("The movement that carries on"),
        max_length=300,
        help_text=gettext_lazy("Its address, e.g. /movements/shorter-meetings/."),
    )
    note = TextField(
        label=gettext_lazy("A note to your members (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_by(self) -> str:
        match = re.search(r"(?:/movements/)?([-a-zA-Z0-9_]+)/?\s*$", self.cleaned_data["by"].strip())
        if not match:
            raise forms.ValidationError(_("Give the movement's address, e.g. /movements/shorter-meetings/."))
        return match.group(1)


def _movement_for_lead(request: HttpRequest, slug: str) -> Movement:
    """The movement if the person can see it (else 404) and leads it (else 403, PermissionDenied)."""
    movement = _movement_or_404(request, slug)
    services.require_lead(movement=movement, person=request.user)
    return movement


@require_http_methods(["GET", "POST"])
def movement_supersede(request: HttpRequest, slug: str) -> HttpResponse:
    movement = _movement_for_lead(request, slug)
    form = SupersedeForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "movements/supersede.html", {"movement": movement, "form": form}, status=status)
    by = Movement.objects.visible_to(request.user).filter(slug=form.cleaned_data["by"]).first()
    if by is None:
        form.add_error("by", _("There is no movement at that address that you can see."))
        return render(request, "movements/supersede.html", {"movement": movement, "form": form}, status=400)
    if not confirmed(request):
        return ask_to_confirm(
            request,
            heading=_("Carry “%(old)s” on in “%(new)s”?") % {"old": movement.title, "new": by.title},
            consequences=[
                _("“%(old)s” shows that it continues in “%(new)s”.") % {"old": movement.title, "new": by.title},
                _("You follow “%(new)s”, and every member who can see it is invited there.") % {"new": by.title},
                _("Its history, members and lessons stay where they are."),
            ],
            action=reverse("movements:supersede", kwargs={"slug": movement.slug}),
            hidden=[("by", by.slug), ("note", form.cleaned_data["note"])],
            confirm_label=_("Carry it on there"),
            cancel_url=movement.get_absolute_url(),
        )
    try:
        invitations = superseding.movement_supersede(
            movement=movement, by=by, actor=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        form.add_error("by", " ".join(error.messages))
        return render(request, "movements/supersede.html", {"movement": movement, "form": form}, status=400)
    messages.success(
        request,
        ngettext(
            "Done: %(count)s member was invited to “%(new)s”.",
            "Done: %(count)s members were invited to “%(new)s”.",
            len(invitations),
        )
        % {"count": len(invitations), "new": by.title},
    )
    return redirect(movement)
