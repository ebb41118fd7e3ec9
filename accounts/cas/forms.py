from django import forms

from accounts.cas.models import Connector


class ConnectorForm(forms.ModelForm):
    launch_url = forms.URLField(
        label="Adresse d'ouverture", max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Connector
        fields = ["name", "service_pattern", "launch_url", "attribute_profile"]
        help_texts = {
            "service_pattern": "Par exemple "
            "https://0980001x.index-education.net/pronote/* "
            "(* remplace n'importe quelle suite de caractères).",
            "launch_url": "L'adresse où la tuile de « Mes applis » envoie "
            "l'utilisateur ; elle doit répondre au motif.",
        }

    def clean_service_pattern(self):
        pattern = self.cleaned_data["service_pattern"].strip()
        if not pattern.startswith("https://"):
            raise forms.ValidationError(
                "Le motif doit commencer par https:// : un ticket ne part jamais "
                "en clair."
            )
        if pattern in {"https://*", "https://**"}:
            raise forms.ValidationError("Ce motif accepterait n'importe quel site.")
        return pattern

    def clean(self):
        cleaned = super().clean()
        pattern, launch = cleaned.get("service_pattern"), cleaned.get("launch_url")
        if (
            pattern
            and launch
            and not Connector(service_pattern=pattern).matches(launch)
        ):
            self.add_error(
                "launch_url", "Cette adresse ne répond pas au motif du service."
            )
        return cleaned
