from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth import password_validation

from accounts.models import Profile, User

MOBILE_HELP = "Au format +689 87 00 00 00 ; il servira à vous envoyer un code."


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Identifiant"
        login.widget.attrs.update(
            {
                "placeholder": "prenom.nom",
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        )
        self.fields["password"].label = "Mot de passe"
        self.fields["password"].widget.attrs["placeholder"] = ""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if user is not None and user.merged_into_id:
            kept = User.objects.only("username").get(pk=user.merged_into_id)
            self.user = None
            raise forms.ValidationError(
                "Ce compte a été fusionné avec un autre : connectez-vous désormais "
                f"avec l'identifiant « {kept.username} ».",
                code="merged",
            )
        return cleaned


class PasswordChoiceForm(forms.Form):
    password1 = forms.CharField(
        label="Nouveau mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Le même, une seconde fois",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_texts()[0]

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas les mêmes.")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class FirstLoginForm(PasswordChoiceForm):
    """A new password; parents may also leave an email and a mobile number."""

    email = forms.EmailField(label="Courriel (facultatif)", required=False)
    mobile = forms.RegexField(
        label="Téléphone portable (facultatif)",
        regex=r"^\+?[0-9 .]{6,20}$",
        required=False,
        help_text=MOBILE_HELP,
        error_messages={"invalid": "Ce numéro de portable n'est pas valide."},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user.profile != Profile.PARENT:
            del self.fields["email"]
            del self.fields["mobile"]
        else:
            self.fields["email"].initial = user.email
            self.fields["mobile"].initial = user.mobile


class MergeForm(forms.Form):
    key = forms.CharField(
        label="Clé de fusion",
        max_length=64,
        help_text="Générée sur le compte que vous abandonnez (valable 24 heures).",
    )
    confirm = forms.BooleanField(
        label="Je confirme : le compte de cette clé ne pourra plus se connecter.",
        error_messages={"required": "Cochez la confirmation pour fusionner."},
    )
