# Placeholder pages until the Feedback issue builds them.
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Feedback


def feedback_list(request: HttpRequest) -> HttpResponse:
    posts = Feedback.objects.visible_to(request.user)[:50]
    return render(request, "feedback/list.html", {"posts": posts})


def feedback_new(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/list.html", {"posts": []})


def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Feedback.objects.visible_to(request.user), pk=pk)
    return render(request, "feedback/list.html", {"posts": [post]})
