from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from socialbiz.forms import TextField


class LoginForm(AllauthLoginForm):
    """allauth's email and password form, refused with a clear message when SSO is the only way in."""

    def clean(self):
        if not settings.PASSWORD_LOGIN_ENABLED:
            raise forms.ValidationError(_("Password sign-in is turned off. Please use your company's single sign-on."))
        return super().clean()


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
