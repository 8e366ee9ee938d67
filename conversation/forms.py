from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from socialbiz.forms import TextField


class ReplyForm(forms.Form):
    body = TextField(
        label=_("Your reply"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Type @ and a name to mention a colleague."),
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write a reply first."))
        return body
