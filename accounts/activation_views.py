"""The 'Je n'ai pas de compte' pages: number, code, children, password."""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import activation, services
from accounts.forms import PasswordChoiceForm
from accounts.models import User

_NUMBER, _USER, _VERIFIED, _TRIES = (
    "activation_number",
    "activation_user",
    "activation_verified",
    "activation_tries",
)
SENT = (
    "Si ce numéro est celui que l'école connaît pour un compte à activer, un code à "
    "6 chiffres vient de lui être envoyé par SMS. Il est valable 10 minutes."
)


class NumberForm(forms.Form):
    mobile = forms.RegexField(
        label="Votre numéro de téléphone portable",
        regex=r"^\+?[0-9 .]{6,20}$",
        help_text="Celui que vous avez donné à l'école, par exemple 87 70 12 34.",
        error_messages={"invalid": "Ce numéro de portable n'est pas valide."},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="Code reçu par SMS",
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": "Le code a 6 chiffres."},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )


def _reset(request) -> None:
    for key in (_NUMBER, _USER, _VERIFIED, _TRIES):
        request.session.pop(key, None)


def _spend_try(request) -> bool:
    """Count a wrong answer; True when the flow must start over."""
    request.session[_TRIES] = request.session.get(_TRIES, 0) + 1
    return request.session[_TRIES] >= settings.NATI_ACTIVATION_CODE_TRIES


@require_http_methods(["GET", "POST"])
def start(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = NumberForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            number = activation.activation_code_send(
                mobile=form.cleaned_data["mobile"], request=request
            )
        except activation.ActivationRefused as refused:
            error = str(refused)
        else:
            _reset(request)
            request.session[_NUMBER] = number
            messages.info(request, SENT)
            return redirect("accounts-activate-code")
    return render(
        request, "accounts/activate_start.html", {"form": form, "error": error}
    )


@require_http_methods(["GET", "POST"])
def code(request):
    number = request.session.get(_NUMBER)
    if not number:
        return redirect("accounts-activate")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = activation.activation_code_check(
            number=number, code=form.cleaned_data["code"]
        )
        if user is not None:
            request.session[_USER] = user.pk
            request.session[_TRIES] = 0
            return redirect("accounts-activate-children")
        if _spend_try(request):
            activation.activation_code_forget(number)
            _reset(request)
            messages.error(request, "Trop de codes erronés : demandez un nouveau code.")
            return redirect("accounts-activate")
        form.add_error("code", "Ce code n'est pas le bon, ou il a expiré.")
    return render(request, "accounts/activate_code.html", {"form": form})


def _children_form(children, data=None):
    form = forms.Form(data)
    for child in children:
        form.fields[f"enfant_{child.id}"] = forms.DateField(
            label=f"Date de naissance de {child.first_name}",
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": "Saisissez une date, par exemple 14/05/2017."},
        )
    return form


def _session_user(request, verified: bool = False) -> User | None:
    user_id = request.session.get(_USER)
    if not user_id or (verified and not request.session.get(_VERIFIED)):
        return None
    return User.objects.filter(pk=user_id, merged_into__isnull=True).first()


@require_http_methods(["GET", "POST"])
def children(request):
    user = _session_user(request)
    if user is None:
        return redirect("accounts-activate")
    found = activation.children_to_confirm(user)
    form = _children_form(found, request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers: dict[int, dt.date | None] = {
            c.id: form.cleaned_data[f"enfant_{c.id}"] for c in found
        }
        if activation.birth_dates_match(user, answers):
            request.session[_VERIFIED] = True
            return redirect("accounts-activate-password")
        if _spend_try(request):
            _reset(request)
            messages.error(
                request,
                "Les dates de naissance ne correspondent pas à la fiche de l'école : "
                "recommencez, ou adressez-vous à l'école.",
            )
            return redirect("accounts-activate")
        form.add_error(
            None, "Une date de naissance ne correspond pas à la fiche de l'école."
        )
    return render(request, "accounts/activate_children.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password(request):
    user = _session_user(request, verified=True)
    if user is None:
        return redirect("accounts-activate")
    form = PasswordChoiceForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.password_choose(
            user=user, password=form.cleaned_data["password1"], request=request
        )
        _reset(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            f"Votre compte est activé. Votre identifiant : {user.username}.",
        )
        return redirect("home")
    return render(
        request,
        "accounts/activate_password.html",
        {"form": form, "login": user.username},
    )
