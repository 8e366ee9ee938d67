from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from socialbiz.forms import TextField

from .models import SupportKind, SupportStatus


class DateInput(forms.DateInput):
    input_type = "date"


class SponsorAskForm(forms.Form):
    sponsor = forms.IntegerField(label=_("Who to ask"), widget=forms.HiddenInput)
    note = TextField(
        label=_("Why you ask them (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("They will see the movement's pitch and figures with your note."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].error_messages["required"] = _("Pick the colleague to ask.")


class SponsorAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Yes, I will sponsor it")), ("decline", _("No, not this time"))],
        widget=forms.RadioSelect,
    )
    note = TextField(
        label=_("Endorsement or note (optional)"),
        max_length=300,
        required=False,
        help_text=_("If you accept, the movement page shows this line under your name."),
    )


class SupportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is needed"), choices=SupportKind.choices, widget=forms.RadioSelect)
    what = TextField(label=_("In one line"), max_length=200)
    needed_by = forms.DateField(label=_("Needed by"), widget=DateInput)
    why = TextField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SupportAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(s.value, s.label) for s in SupportStatus if s != SupportStatus.OPEN],
        widget=forms.RadioSelect,
    )
    note = TextField(label=_("Note to the leads"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SanctionForm(forms.Form):
    on = forms.DateField(label=_("Sanctioned on"), widget=DateInput)
    note = TextField(
        label=_("What the sanction allows"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("For example: time in working hours, a budget, or the go-ahead to pilot in a second team."),
    )


class SanctionWithdrawForm(forms.Form):
    note = TextField(label=_("Why it is withdrawn (optional)"), max_length=2000, required=False)
