"""The personal access tokens page: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialbiz.second_thoughts import ask_to_confirm, confirmed

from . import services
from .forms import TokenForm
from .models import PersonalAccessToken


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = services.token_create(
                person=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = TokenForm()
    existing = PersonalAccessToken.objects.filter(person=request.user)
    return render(request, "api/tokens.html", {"form": form, "tokens": existing, "new_secret": new_secret})


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(PersonalAccessToken, pk=pk, person=request.user)
    if not confirmed(request):
        # Second thoughts: a revoked token cannot be brought back, so the button asks once more.
        return ask_to_confirm(
            request,
            heading=_("Revoke the token “%(name)s”?") % {"name": token.name},
            consequences=[
                _("Every script or tool that uses it stops working at once."),
                _("A revoked token cannot be turned on again: you would create a new one."),
            ],
            action=reverse("api_tokens:revoke", args=[token.pk]),
            confirm_label=_("Revoke the token"),
            cancel_url=reverse("api_tokens:list"),
        )
    services.token_revoke(token=token, person=request.user)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("api_tokens:list")
