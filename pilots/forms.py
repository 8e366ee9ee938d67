from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from socialbiz.forms import TextField

from .models import Direction, Source


class DateInput(forms.DateInput):
    input_type = "date"


def _number(label, help_text="") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )


class MeasureForm(forms.Form):
    name = TextField(label=_("Name"), max_length=120, help_text=_("For example: hours in meetings per week."))
    source = forms.ChoiceField(
        label=_("How it is measured"), choices=Source.choices, widget=forms.RadioSelect, initial=Source.BY_HAND
    )
    unit = TextField(
        label=_("Unit (recorded by hand)"),
        max_length=40,
        required=False,
        help_text=_("Hours, tickets, %… A computed measure has the portal's unit."),
    )
    is_count = forms.BooleanField(label=_("The values are counts (whole numbers, never negative)"), required=False)
    direction = forms.ChoiceField(label=_("Better is"), choices=Direction.choices, widget=forms.RadioSelect)
    baseline = _number(_("Baseline"), _("Where it stands before the pilot."))
    target = _number(_("Target"), _("Where it should be at the pilot's end."))
    recorder_role = forms.ModelChoiceField(
        label=_("Who records it besides the leads (recorded by hand)"),
        queryset=None,
        required=False,
        empty_label=_("The leads only"),
    )

    def __init__(self, *args, movement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorder_role"].queryset = movement.roles.order_by("created_at", "pk")


class MeasureValueForm(forms.Form):
    measure = forms.TypedChoiceField(label=_("Measure"), coerce=int)
    measured_on = forms.DateField(label=_("Measured on"), widget=DateInput)
    value = _number(_("Value"))
    unit = TextField(
        label=_("Unit (optional)"),
        max_length=40,
        required=False,
        help_text=_("If you give one, it must be the measure's unit."),
    )
    note = TextField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        help_text=_("How it was measured, anything unusual. Up to 500 characters."),
    )

    def __init__(self, *args, measures, **kwargs):
        super().__init__(*args, **kwargs)
        # The measures this person may record, read once by the view (a list: the page renders no query).
        self.measures = {m.pk: m for m in measures}
        self.fields["measure"].choices = [(m.pk, f"{m.name} ({m.unit})") for m in measures]

    def clean_measure(self):
        return self.measures[self.cleaned_data["measure"]]


SCALE = [(str(n), str(n)) for n in range(1, 6)]


class PulseAnswerForm(forms.Form):
    works = TextField(
        label=_("What works? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Up to 2,000 characters."),
    )
    share_works = forms.BooleanField(
        label=_("Also post this as an anonymous What Works about the movement"), required=False
    )
    doesnt = TextField(
        label=_("What doesn't? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Up to 2,000 characters."),
    )
    share_doesnt = forms.BooleanField(
        label=_("Also post this as an anonymous What Doesn't about the movement"), required=False
    )

    def __init__(self, *args, questions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        scores = {
            f"q{i}": forms.ChoiceField(
                label=question,
                choices=SCALE,
                widget=forms.RadioSelect,
                help_text=_("1: not at all · 5: very much"),
                error_messages={"required": _("Answer from 1 to 5.")},
            )
            for i, question in enumerate(questions)
        }
        self.fields = {**scores, **self.fields}
        self.question_count = len(questions)

    @property
    def score_fields(self):
        return [self[f"q{i}"] for i in range(self.question_count)]

    @property
    def scores(self) -> list[int]:
        return [int(self.cleaned_data[f"q{i}"]) for i in range(self.question_count)]


class ProposalForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Proposal"),
        choices=[("adopt", _("Adopt")), ("extend", _("Extend")), ("retire", _("Retire"))],
        widget=forms.RadioSelect,
    )
    new_end = forms.DateField(label=_("New end date (extend)"), required=False, widget=DateInput)
    rationale = TextField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Why: what the pilot showed. The measures' results are attached. Up to 5,000 characters."),
    )


class ResponseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Your response"),
        choices=[("consent", _("Consent")), ("abstain", _("Abstain")), ("object", _("Object"))],
        widget=forms.RadioSelect,
    )
    reason = TextField(
        label=_("Reason (needed to object)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("A lead must answer every objection before the decision is recorded. Up to 2,000 characters."),
    )


class ObjectionAnswerForm(forms.Form):
    response = forms.IntegerField(widget=forms.HiddenInput)
    answer = TextField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
