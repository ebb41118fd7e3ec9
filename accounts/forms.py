from allauth.account.forms import LoginForm as AllauthLoginForm


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
