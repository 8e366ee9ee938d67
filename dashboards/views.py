# Placeholder pages until the Dashboards issue builds them.
from django.http import Http404, HttpRequest, HttpResponse


def overview(request: HttpRequest) -> HttpResponse:
    raise Http404


def movement_analytics(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404
