from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from people.models import Department
from socialbiz.forms import TextField

from . import filters
from .models import Membership, RoleTemplate, Stage
from .selectors import SORT_LABELS
from .services import RoleSpec

CUSTOM_ROLE_ROWS = 3


class FastSelect(forms.Select):
    """A <select> whose options are built in one pass, not one template render each: a large organisation
    has hundreds of departments, and Django's per-option templates cost tens of ms per page."""

    # <option>s built beforehand (and cached) with none selected, after those of `choices`.
    options_html = ""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = set(self.format_value(value))
        # One f-string per option (format_html per option costs ~20 ms on a page with 300 departments).
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) in selected else ""}>{escape(label)}</option>'
            for key, label in self.choices
        )
        built = self.options_html
        for key in selected:
            built = built.replace(f'<option value="{escape(key)}">', f'<option value="{escape(key)}" selected>', 1)
        return format_html("<select{}>{}{}</select>", flatatt(final_attrs), mark_safe(options), mark_safe(built))


class BrowseForm(forms.Form):
    """Renders the filters; the view reads them leniently (movements.views._browse_filters)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices])
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    tool = forms.ChoiceField(label=_("Tool or practice"), required=False, widget=FastSelect)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORT_LABELS.items()))

    def __init__(self, *args, department_options: str = "", tools=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The departments' <option>s come built (movements.selectors.department_options): hundreds of them.
        self.fields["department"].choices = [("", _("Any department"))]
        self.fields["department"].widget.options_html = department_options
        self.fields["tool"].choices = [("", _("Any tool"))] + [(t, t) for t in tools]
        # Yes/no filters other apps add (movements/filters.py), e.g. "officially sanctioned".
        self.flag_names = []
        for flag in filters.registered():
            self.fields[flag.name] = forms.BooleanField(label=flag.label, required=False)
            self.flag_names.append(flag.name)

    def flag_fields(self) -> list:
        return [self[name] for name in self.flag_names]


class MovementStartForm(forms.Form):
    title = TextField(label=_("Title"), max_length=200)
    pitch = TextField(label=_("Why it matters"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    problem = TextField(
        label=_("The problem"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    use_cases = TextField(
        label=_("Use cases"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Where and how people would use it."),
    )
    tool = TextField(label=_("Tool or practice (optional)"), max_length=120, required=False)
    department = forms.ModelChoiceField(
        label=_("Who can see it"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Everyone"),
        help_text=_("Limit the movement to your department; people outside it will not see it."),
    )

    def __init__(self, *args, founder, from_feedback=None, **kwargs):
        super().__init__(*args, **kwargs)
        ids = founder.department.ancestor_ids if founder.department_id and founder.department else []
        self.fields["department"].queryset = Department.objects.filter(pk__in=ids).order_by("path")
        self.template_fields = []
        for index, (_value, label) in enumerate(RoleTemplate.choices):
            pick, seats = f"template_{index}", f"template_{index}_seats"
            self.fields[pick] = forms.BooleanField(label=label, required=False)
            self.fields[seats] = forms.IntegerField(
                label=_("Seats for %(role)s") % {"role": label}, min_value=1, max_value=500, initial=1, required=False
            )
            self.template_fields.append((self[pick], self[seats]))
        self.custom_fields = []
        for row in range(1, CUSTOM_ROLE_ROWS + 1):
            name, seats = f"custom_{row}_name", f"custom_{row}_seats"
            self.fields[name] = TextField(
                label=_("Your own role %(n)s: name") % {"n": row}, max_length=100, required=False
            )
            self.fields[seats] = forms.IntegerField(
                label=_("Your own role %(n)s: seats") % {"n": row},
                min_value=1,
                max_value=500,
                initial=1,
                required=False,
            )
            self.custom_fields.append((self[name], self[seats]))
        self.from_feedback = from_feedback
        if from_feedback is not None:
            voters = from_feedback.voters().exclude(pk=founder.pk).order_by("display_name", "pk")
            # Nobody is ticked: an invitation is personal, so the founder picks whom to ask.
            self.fields["voters"] = forms.ModelMultipleChoiceField(
                label=_("Invite people who said “me too”"),
                queryset=voters,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"data-count-checked": "voters-picked"}),
                help_text=ngettext(
                    "%(count)s colleague said “me too”. Tick the ones to invite as first followers: "
                    "each gets a personal invitation from you. Nobody is invited unless ticked.",
                    "%(count)s colleagues said “me too”. Tick the ones to invite as first followers: "
                    "each gets a personal invitation from you. Nobody is invited unless ticked.",
                    voter_count := voters.count(),
                )
                % {"count": voter_count},
            )
            self.fields["voters"].label_from_instance = lambda person: person.name

    def clean(self):
        cleaned = super().clean()
        specs: list[RoleSpec] = []
        seen: dict[str, str] = {}
        for index, (_value, label) in enumerate(RoleTemplate.choices):
            if cleaned.get(f"template_{index}"):
                specs.append(RoleSpec(name=str(label), seats=cleaned.get(f"template_{index}_seats") or 1))
                seen[str(label).casefold()] = f"template_{index}"
        for row in range(1, CUSTOM_ROLE_ROWS + 1):
            name = (cleaned.get(f"custom_{row}_name") or "").strip()
            if not name:
                continue
            if name.casefold() in seen:
                self.add_error(f"custom_{row}_name", _("There is already a role named “%(name)s”.") % {"name": name})
                continue
            seen[name.casefold()] = f"custom_{row}_name"
            specs.append(RoleSpec(name=name, seats=cleaned.get(f"custom_{row}_seats") or 1))
        cleaned["roles"] = specs
        return cleaned


class RoleForm(forms.Form):
    name = TextField(label=_("Role name"), max_length=100)
    description = TextField(
        label=_("What it involves"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500, initial=1)


class AssignForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Member"), queryset=Membership.objects.none())

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships


class InviteForm(forms.Form):
    invitee = forms.IntegerField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(label=_("Or invite by email address"), required=False)
    note = TextField(
        label=_("Personal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Why you thought of them. A personal word works better than a form letter."),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("invitee") and not cleaned.get("email") and not self.errors:
            raise forms.ValidationError(_("Pick a colleague from the directory or type an email address."))
        return cleaned


class UpdateForm(forms.Form):
    body = TextField(label=_("Post an update"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class WelcomeForm(forms.Form):
    body = TextField(label=_("Your welcome"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    followers = forms.ModelMultipleChoiceField(
        label=_("Followers to welcome"), queryset=Membership.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["followers"].queryset = memberships
        self.fields["followers"].label_from_instance = lambda m: m.person.name


class DateInput(forms.DateInput):
    input_type = "date"


class PilotForm(forms.Form):
    hypothesis = TextField(
        label=_("Hypothesis"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, help_text=_("If we …, then …")
    )
    success_measure = TextField(
        label=_("Success measure"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("How you will know it worked."),
    )
    start = forms.DateField(label=_("Pilot start"), widget=DateInput)
    end = forms.DateField(label=_("Pilot end"), widget=DateInput)
    rationale = TextField(label=_("Why now"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The pilot cannot end before it starts."))
        return cleaned


class MovementEditForm(forms.Form):
    title = MovementStartForm.base_fields["title"]
    pitch = MovementStartForm.base_fields["pitch"]
    problem = MovementStartForm.base_fields["problem"]
    use_cases = MovementStartForm.base_fields["use_cases"]
    tool = MovementStartForm.base_fields["tool"]


class UpdateEditForm(forms.Form):
    body = TextField(label=_("Your update"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
