"""An update's author corrects it; everyone who sees the movement sees that it was edited and its history."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from socialbiz import ratelimit

from . import forms, selectors, services
from .models import Movement, Update


def _update_or_404(request: HttpRequest, slug: str, pk: int) -> tuple[Movement, Update]:
    """The movement the person sees, and one of its updates; anything else is a 404."""
    try:
        movement = selectors.movement_for_page(user=request.user, slug=slug)
        return movement, Update.objects.select_related("author").get(pk=pk, movement=movement)
    except (Movement.DoesNotExist, Update.DoesNotExist):
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    movement, update = _update_or_404(request, slug, pk)
    if not services.update_can_edit(update=update, person=request.user):
        raise Http404
    form = forms.UpdateEditForm(request.POST if request.method == "POST" else None, initial={"body": update.body})
    context = {"form": form, "movement": movement, "update": update}
    if request.method == "GET":
        return render(request, "movements/update_edit.html", context)
    status = 400
    if form.is_valid():
        if not ratelimit.hit(scope="update-edit", person_id=request.user.pk, rate=settings.UPDATE_RATE_LIMIT):
            message = ratelimit.refusal_message(rate=settings.UPDATE_RATE_LIMIT, doing=_("editing updates"), kept=True)
            form.add_error("body", message)
            status = 429
        else:
            try:
                services.update_edit(update=update, person=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error("body", error)
            else:
                messages.success(request, _("Update edited. The earlier text is kept in its history."))
                return redirect(f"{movement.get_absolute_url()}#update-{update.pk}")
    return render(request, "movements/update_edit.html", context, status=status)


@require_GET
def update_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    movement, update = _update_or_404(request, slug, pk)
    revisions = list(update.revisions.all())
    return render(
        request, "movements/update_history.html", {"movement": movement, "update": update, "revisions": revisions}
    )
