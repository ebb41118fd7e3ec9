from django import forms

from messaging.models import EmailMode, FlashMessage, FlashProfile
from messaging.services import FLASH_FIELDS


class ComposeForm(forms.Form):
    subject = forms.CharField(label="Objet", max_length=200, required=False)
    body = forms.CharField(label="Message", widget=forms.Textarea, required=False)


def ids_from(data, name: str) -> list[int]:
    """The integer ids posted under `name`; anything else is ignored."""
    return [int(v) for v in data.getlist(name) if v.isdigit()][:20000]


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label="Me prévenir par courriel d'un nouveau message",
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="Pourquoi signalez-vous ce contenu ?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class FlashForm(forms.ModelForm):
    profiles = forms.MultipleChoiceField(
        label="Profils",
        choices=FlashProfile.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FlashMessage
        fields = FLASH_FIELDS
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "notify_mail": "Seulement pour un message qui commence aujourd'hui "
            "et ne concerne qu'une école.",
            "notify_mobile": "Seulement pour un message qui commence aujourd'hui "
            "et ne concerne qu'une école.",
        }
