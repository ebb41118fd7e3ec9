import datetime as dt

from django import forms

from presences.models import DAY_KINDS, DEFAULT_WEEK, Channel, Half, Kind

WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class YearForm(forms.Form):
    start = forms.DateField(label="Début de l'année scolaire", widget=_DATE)
    end = forms.DateField(label="Fin de l'année scolaire", widget=_DATE)
    morning_start = forms.TimeField(
        label="Matin : de", initial=dt.time(8), widget=_TIME
    )
    morning_end = forms.TimeField(label="à", initial=dt.time(12), widget=_TIME)
    afternoon_start = forms.TimeField(
        label="Après-midi : de", initial=dt.time(14), widget=_TIME
    )
    afternoon_end = forms.TimeField(label="à", initial=dt.time(17), widget=_TIME)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, name in enumerate(WEEKDAYS):
            self.fields[f"day_{index}"] = forms.ChoiceField(
                label=name, choices=DAY_KINDS, initial=DEFAULT_WEEK[str(index)]
            )

    def week(self) -> dict[str, str]:
        return {str(i): self.cleaned_data[f"day_{i}"] for i in range(7)}


class ExclusionForm(forms.Form):
    label = forms.CharField(label="Libellé", max_length=120)
    start = forms.DateField(label="Du", widget=_DATE)
    end = forms.DateField(label="Au", widget=_DATE)


HolidayFormSet = forms.formset_factory(ExclusionForm, extra=4)


class ThresholdsForm(forms.Form):
    absence_threshold = forms.IntegerField(label="Absences", min_value=0)
    lateness_threshold = forms.IntegerField(label="Retards", min_value=0)
    incident_threshold = forms.IntegerField(label="Incidents", min_value=0)
    notebook_threshold = forms.IntegerField(label="Oublis de carnet", min_value=0)
    count_without_reason = forms.BooleanField(
        label="Les évènements sans motif comptent", required=False
    )


class ReasonForm(forms.Form):
    label = forms.CharField(label="Libellé", max_length=200)
    needs_regularisation = forms.BooleanField(required=False)
    counts_in_record = forms.BooleanField(required=False)
    alert_when_regularised = forms.BooleanField(required=False)
    alert_when_not_regularised = forms.BooleanField(required=False)


class LatenessReasonForm(forms.Form):
    label = forms.CharField(label="Nouveau motif de retard", max_length=120)


MARK_ACTIONS = {
    "present": ("presence", None),
    "absence": ("presence", Kind.ABSENCE),
    "late": ("presence", Kind.LATENESS),
    "left": ("presence", Kind.EARLY_LEAVE),
    "incident": ("incident", Kind.INCIDENT),
    "no_incident": ("incident", None),
    "notebook": ("notebook", Kind.NOTEBOOK),
    "no_notebook": ("notebook", None),
}


class MarkForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in MARK_ACTIONS])
    at_time = forms.TimeField(required=False)
    reason = forms.IntegerField(required=False)
    lateness_reason = forms.IntegerField(required=False)


class DeclarationForm(forms.Form):
    start = forms.DateField(label="Du", widget=_DATE)
    start_half = forms.ChoiceField(
        label="à partir du", choices=Half.choices, initial=Half.MORNING
    )
    end = forms.DateField(label="Au", widget=_DATE)
    end_half = forms.ChoiceField(
        label="jusqu'à (inclus)", choices=Half.choices, initial=Half.AFTERNOON
    )
    reason = forms.ModelChoiceField(label="Motif", queryset=None)
    comment = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachment = forms.FileField(
        label="Pièce jointe (facultative : PDF ou photo, 5 Mo au plus)", required=False
    )

    def __init__(self, *args, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reasons

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment and attachment.size > 5 * 1024 * 1024:
            raise forms.ValidationError("La pièce jointe dépasse 5 Mo.")
        return attachment


class RangeForm(forms.Form):
    start = forms.DateField(label="Du", widget=_DATE)
    end = forms.DateField(label="Au", widget=_DATE)


class MailingForm(forms.Form):
    start = forms.DateField(label="Du", widget=_DATE)
    end = forms.DateField(label="Au", widget=_DATE)
    classes = forms.MultipleChoiceField(
        label="Classes (toutes si aucune)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kinds = forms.MultipleChoiceField(
        label="Évènements",
        choices=Kind.choices,
        initial=[Kind.ABSENCE],
        widget=forms.CheckboxSelectMultiple,
    )
    regularised = forms.ChoiceField(
        label="Régularisés",
        choices=[("any", "Tous"), ("yes", "Oui"), ("no", "Non")],
        initial="no",
    )
    already_sent = forms.ChoiceField(
        label="Déjà envoyés",
        choices=[("any", "Tous"), ("yes", "Oui"), ("no", "Non")],
        initial="no",
    )
    channel = forms.ChoiceField(label="Canal", choices=Channel.choices)
    subject = forms.CharField(label="Objet (courriel)", required=False, max_length=200)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classes"].choices = [(str(c.pk), c.name) for c in classes]


class TemplateForm(forms.Form):
    name = forms.CharField(label="Nom du modèle", max_length=120)
    subject = forms.CharField(label="Objet", required=False, max_length=200)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 4}))
