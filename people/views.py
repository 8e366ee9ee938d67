import json

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import avatars, selectors, services
from .forms import AvatarForm, ErasureRequestForm, LocaleForm
from .models import AuditAction, Avatar, User
from .privacy import privacy_export_for


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and Redis, when configured) answer; 503 naming the part that failed."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "down"; the reason is shown, not raised
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


def browser_language(request: HttpRequest) -> str:
    """The language the browser asks for (Accept-Language) among ours, ignoring cookie and preference."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


@login_not_required
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The language switcher (user menu and signed-out pages): remembered in a cookie, and for a signed-in
    person saved as their preference, so their emails follow. Back to the page it was used on."""
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    language = request.POST.get("language", "")
    names = dict(settings.LANGUAGES)
    if language not in names:
        messages.error(request, _("That language is not offered here. Choose one from the list."))
        return redirect(next_url)
    if request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(language=language)
    translation.activate(language)
    messages.success(request, _("The portal is now in %(language)s.") % {"language": names[language]})
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_http_methods(["GET", "POST"])
def locale_settings(request: HttpRequest) -> HttpResponse:
    browser = browser_language(request)
    data = request.POST if request.method == "POST" else None
    form = LocaleForm(data, instance=request.user, browser_language=browser)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        translation.activate(person.language or browser)
        messages.success(request, _("Saved: language and time zone."))
        response = redirect("people:locale_settings")
        if person.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                person.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        else:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    return render(request, "people/locale.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    open_request = selectors.open_erasure_request_for(person=request.user)
    return render(
        request,
        "people/privacy.html",
        {"open_request": open_request, "form": ErasureRequestForm(), "erased_name": services.ERASED_NAME},
    )


@require_GET
def privacy_export(request: HttpRequest) -> HttpResponse:
    data = privacy_export_for(person=request.user)
    services.audit_record(action=AuditAction.DATA_EXPORTED, actor=request.user, target=request.user, request=request)
    response = HttpResponse(
        json.dumps({"exported_at": timezone.now().isoformat(), **data}, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="socialbiz-my-data-{timezone.now():%Y-%m-%d}.json"'
    return response


@require_POST
def privacy_erasure_request(request: HttpRequest) -> HttpResponse:
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        open_request = selectors.open_erasure_request_for(person=request.user)
        context = {"open_request": open_request, "form": form, "erased_name": services.ERASED_NAME}
        return render(request, "people/privacy.html", context, status=400)
    try:
        services.erasure_request_create(person=request.user, reason=form.cleaned_data["reason"], request=request)
    except services.ErasureAlreadyRequested:
        messages.info(request, _("You have already asked for erasure; an administrator will carry it out."))
    else:
        messages.success(request, _("Your request to be erased has been recorded. An administrator will carry it out."))
    return redirect("people:privacy")


@login_not_required
@require_http_methods(["GET", "POST"])
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through allauth's form, so it gets the same rate limits, lockout and SSO.

    Django's own admin login form checks passwords with no limit at all; it is never served. A POST
    (someone scripting the old form) is answered with the same redirect and checks nothing.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if not request.user.is_staff:
            raise Http404  # signed in but not staff: the admin does not exist for them
        return redirect(next_url)
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


class _UploadLimit(FileUploadHandler):
    """Stops keeping a file past AVATAR_MAX_UPLOAD_BYTES: the rest of its bytes are read and dropped, so a
    huge upload costs neither memory nor disk, and the view answers with the form and a message."""

    too_big = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.AVATAR_MAX_UPLOAD_BYTES:
            self.too_big = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@csrf_exempt  # the CSRF check runs in _avatar_settings, after the upload limit is in place
@require_http_methods(["GET", "POST"])
def avatar_settings(request: HttpRequest) -> HttpResponse:
    limit = _UploadLimit(request)
    request.upload_handlers.insert(0, limit)
    return _avatar_settings(request, limit)


@csrf_protect
def _avatar_settings(request: HttpRequest, limit: _UploadLimit) -> HttpResponse:
    person = request.user
    form = AvatarForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("remove"):
            services.avatar_remove(person=person)
            messages.success(request, _("Your picture is gone; your initials are shown instead."))
            return redirect("people:avatar_settings")
        form = AvatarForm(request.POST, request.FILES)
        if limit.too_big:
            form.is_valid()
            form.errors.clear()
            form.add_error("picture", avatars.too_big_message())
        elif form.is_valid():
            try:
                services.avatar_set(person=person, upload=form.cleaned_data["picture"])
            except ValidationError as error:
                form.add_error("picture", error)
            else:
                messages.success(request, _("Your picture is saved."))
                return redirect("people:avatar_settings")
        status = 400
    return render(request, "people/avatar.html", {"form": form, "person": person}, status=status)


@require_GET
def avatar_image(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """A person's picture for any signed-in colleague (the directory is shared); an old version is gone."""
    image = (
        Avatar.objects.filter(person_id=pk, person__avatar_version=version)
        .exclude(person__avatar_version=0)
        .values_list("image", flat=True)
        .first()
    )
    if image is None:
        raise Http404
    response = HttpResponse(bytes(image), content_type="image/jpeg")
    # The version is in the URL: a new picture gets a new address, so this one can be kept for good.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
