# Placeholder pages until the Movements issue builds them.
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Movement


def movement_list(request: HttpRequest) -> HttpResponse:
    movements = Movement.objects.visible_to(request.user).select_related("founder")[:50]
    return render(request, "movements/list.html", {"movements": movements})


def movement_start(request: HttpRequest) -> HttpResponse:
    return render(request, "movements/list.html", {"movements": []})


def movement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    movement = get_object_or_404(Movement.objects.visible_to(request.user), slug=slug)
    return render(request, "movements/list.html", {"movements": [movement]})
