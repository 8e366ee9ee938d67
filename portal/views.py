from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", selectors.home_for(person=request.user))
