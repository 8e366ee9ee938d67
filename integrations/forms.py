from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ChatKind, EventType


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )


class EndpointEditForm(EndpointForm):
    active = forms.BooleanField(
        label=pgettext_lazy("switched on", "On"),
        required=False,
        help_text=_("While it is off, its events are kept and wait; they go out when it is on again."),
    )


class ChatChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Chat"), choices=ChatKind.choices, widget=forms.RadioSelect)
    url = forms.URLField(label=_("Webhook URL"), max_length=500, assume_scheme="https")


class PersonChatChannelForm(ChatChannelForm):
    instead_of_email = forms.BooleanField(
        label=_("Send my nudges here instead of by email"),
        required=False,
        help_text=_(
            "They still appear in the portal as you chose. If the channel fails and is turned off, email resumes."
        ),
    )
