from allauth.account.adapter import get_adapter
from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal import flows
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from socialbiz.forms import TextField

from .models import User


class LoginForm(AllauthLoginForm):
    """allauth's email and password form, refused with a clear message when SSO is the only way in."""

    def clean(self):
        if not settings.PASSWORD_LOGIN_ENABLED:
            raise forms.ValidationError(_("Password sign-in is turned off. Please use your company's single sign-on."))
        return super().clean()


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, answered the same way whether or not the address already has an account.

    allauth prevents enumeration on sign-up only with mandatory email verification, which would also
    lock out every person imported from the directory (they have no verified address row). So here the
    sign-up alone is verified: a new person is told to check their email and signs in after confirming
    (AccountAdapter.pre_login); the holder of an existing address gets allauth's "account already
    exists" email. Both see the same "check your email" page and nothing else differs.
    """

    def validate_unique_email(self, value: str) -> str:
        self.account_already_exists = User.objects.filter(email__iexact=value).exists()
        return get_adapter().validate_unique_email(value)

    def try_save(self, request):
        adapter = get_adapter()
        if self.account_already_exists:
            adapter.send_account_already_exists_mail(self.cleaned_data["email"])
            return None, adapter.respond_email_verification_sent(request, None)
        user = self.save(request)
        response = flows.signup.complete_signup(
            request, user=user, email_verification=EmailVerificationMethod.MANDATORY
        )
        return user, response


class ErasureRequestForm(forms.Form):
    reason = TextField(
        label=_("Anything we should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that my name, email and profile will be removed and that I will no longer be able to sign in."
        ),
        required=True,
    )


class AvatarForm(forms.Form):
    picture = forms.FileField(
        label=_("Your picture"),
        help_text=_("A JPEG, PNG, WebP or GIF image; it is cut to a square and shown in a circle."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        error_messages={"required": _("Choose a picture to upload."), "empty": _("That file is empty.")},
    )


def time_zone_choices() -> list[tuple[str, str]]:
    import zoneinfo

    return [
        (name, name.replace("_", " "))
        for name in sorted(zoneinfo.available_timezones())
        if "/" in name or name == "UTC"
    ]


class LocaleForm(forms.ModelForm):
    """The language and time zone everything addressed to the person is written in."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times on the pages and in your emails are shown in this time zone."),
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )

    class Meta:
        model = User
        fields = ["language", "time_zone"]
        labels = {"language": _("Language")}
        help_texts = {
            "language": _(
                "Pages, emails and notifications use this language. Without a choice, your browser's language decides."
            )
        }
        error_messages = {"language": {"invalid_choice": _("Choose a language from the list.")}}

    def __init__(self, *args, browser_language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        default = _("Your browser's language (now: %(name)s)") % {"name": names.get(browser_language, browser_language)}
        self.fields["language"].choices = [("", default), *settings.LANGUAGES]
