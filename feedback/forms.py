from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from movements.models import Membership, Movement
from socialbiz.forms import TextField

from .models import Kind, ModerationAction, Status, Tag
from .selectors import SORTS


class PlainLabelsForm(forms.Form):
    """Labels without the trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def live_preview(field: forms.Field) -> None:
    """While the person types (a pause of 0.7 s), htmx asks the server for the sanitised preview; the
    preview box comes from feedback/_preview_control.html."""
    field.widget.attrs.update(
        {
            "hx-post": reverse("feedback:preview"),
            "hx-trigger": "input changed delay:700ms",
            "hx-target": "#id_body_preview",
            "hx-swap": "innerHTML",
        }
    )


class FeedbackForm(PlainLabelsForm):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=Kind.choices, widget=forms.RadioSelect)
    title = TextField(label=_("Title"), max_length=200, help_text=_("One line that says it."))
    body = TextField(
        label=_("What happened"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown works: **bold**, *emphasis*, lists, links and `code`."),
    )
    cause = TextField(
        label=_("What drove the success, or what got in the way? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For What Works: what made it work. For What Doesn't: what got in the way. The next champion can search for it."
        ),
    )
    movement = forms.ModelChoiceField(
        label=_("About a movement (optional)"),
        queryset=Movement.objects.none(),
        required=False,
        empty_label=_("No movement"),
        help_text=_("The movements you follow. For another one, use “Say what works or doesn't” on its page."),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Tag.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_tags = TextField(
        label=_("New topics (optional)"),
        max_length=200,
        required=False,
        help_text=_("Separate several with commas, e.g. meetings, onboarding."),
    )
    anonymous = forms.BooleanField(label=_("Post anonymously"), required=False)

    def __init__(self, *args, person, movement_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anonymous"].widget.attrs["aria-describedby"] = "anonymous-explainer"
        live_preview(self.fields["body"])
        # The seed's own questions: asked by name once the kind is known (?kind= or the posted choice).
        kind = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        if kind == Kind.WORKS:
            self.fields["cause"].label = _("What drove the success? (optional)")
        elif kind == Kind.DOESNT:
            self.fields["cause"].label = _("What got in the way? (optional)")
        # Not every movement in the company (thousands in one <select>): the ones the person follows, plus
        # the one they came from (?movement=) or picked. Visibility still holds here and in the service.
        picked = movement_id or positive_id(self.data.get("movement") if self.is_bound else None)
        followed = Membership.objects.current().filter(person=person).values("movement_id")
        self.fields["movement"].queryset = (
            Movement.objects.visible_to(person).filter(Q(pk__in=followed) | Q(pk=picked or 0)).order_by("title")
        )
        # Approved topics and the ones this person proposed (still waiting for a moderator).
        self.fields["tags"].queryset = Tag.objects.visible_to(person).order_by("name")

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give it a title."))
        return title

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Say what works or what doesn't."))
        return body

    def clean_new_tags(self) -> list[str]:
        names = [" ".join(n.split()) for n in self.cleaned_data["new_tags"].split(",")]
        names = [n for n in names if n]
        if any(len(n) > 50 for n in names):
            raise forms.ValidationError(_("Keep each topic under 50 characters."))
        if len(names) > 5:
            raise forms.ValidationError(_("Add at most 5 new topics."))
        return names


def positive_id(value) -> int | None:
    """A positive database id from user input, or None."""
    value = str(value or "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**62 else None


class FilterForm(forms.Form):
    """The list's query string. Invalid values are dropped, never an error page."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Both"))] + Kind.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status"))] + Status.choices, required=False)
    tag = forms.SlugField(label=_("Topic"), max_length=60, required=False, allow_unicode=True)
    movement = forms.IntegerField(label=_("Movement"), required=False, min_value=1, max_value=2**62)
    department = forms.IntegerField(label=_("Author's department"), required=False, min_value=1, max_value=2**62)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[("top", _("Top")), ("newest", _("Newest")), ("trending", _("Trending (votes in 14 days)"))],
        required=False,
    )

    def valid_values(self) -> dict:
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        values["q"] = values.get("q", "").strip()
        if values.get("sort") not in SORTS:
            values["sort"] = "top"
        return values


class CommentForm(PlainLabelsForm):
    body = TextField(label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write a comment first."))
        return body


class AnswerForm(PlainLabelsForm):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    response = TextField(
        label=_("Official response"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The named author and everyone who voted are told."),
    )

    def clean_response(self) -> str:
        response = self.cleaned_data["response"].strip()
        if not response:
            raise forms.ValidationError(_("Write the official response."))
        return response


class ReportForm(PlainLabelsForm):
    reason = TextField(label=_("What is wrong?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say briefly what is wrong."))
        return reason


class ModerationForm(PlainLabelsForm):
    # Merging has its own page (feedback/views_merge.py).
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (action.value, action.label)
            for action in (
                ModerationAction.Action.HIDE,
                ModerationAction.Action.RESTORE,
                ModerationAction.Action.DISMISS,
            )
        ],
    )
    reason = TextField(label=_("Reason (kept in the log)"), max_length=2000)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason; it is kept in the moderation log."))
        return reason


class FeedbackEditForm(PlainLabelsForm):
    """The author's correction of a named post: title and body (kind, movement and topics stay)."""

    title = FeedbackForm.base_fields["title"]
    body = FeedbackForm.base_fields["body"]
    clean_title = FeedbackForm.clean_title
    clean_body = FeedbackForm.clean_body

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        live_preview(self.fields["body"])


class MarkdownPreviewForm(forms.Form):
    body = TextField(max_length=20000, required=False)


class MergeForm(PlainLabelsForm):
    target = forms.CharField(
        label=_("The post to keep"),
        max_length=300,
        help_text=_("Its number or its address, e.g. 123 or /feedback/123/."),
    )
    reason = TextField(
        label=_("Why (optional, kept in the moderation log)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_target(self) -> int:
        import re

        digits = re.findall(r"\d+", self.cleaned_data["target"])
        if len(digits) != 1 or len(digits[0]) > 18:
            raise forms.ValidationError(_("Give the number of one post, e.g. 123."))
        return int(digits[0])


class TopicRenameForm(PlainLabelsForm):
    name = forms.CharField(label=_("New name"), max_length=50, help_text=_("Any script; kept as typed, in lower case."))


class TopicMergeForm(PlainLabelsForm):
    target = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Tag.objects.none(),
        empty_label=_("Choose a topic"),
        help_text=_("Its posts get that topic; this one is retired. You confirm on the next page."),
    )

    def __init__(self, *args, source: Tag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Tag.objects.in_use().exclude(pk=source.pk).order_by("name")
