import json

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import FirstLoginForm, MergeForm
from accounts.models import Profile
from accounts.selectors import personal_data
from nati import portal
from nati.access import app_required


@app_required(portal.MES_DONNEES)
def my_data(request):
    return render(
        request, "accounts/my_data.html", {"data": personal_data(request.user)}
    )


@app_required(portal.MES_DONNEES)
def my_data_download(request):
    body = json.dumps(personal_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-nati.json"'
    return response


def _next_or_home(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def first_login(request):
    """A provisional password leads here before anything else."""
    user = request.user
    if not user.has_provisional_password:
        return redirect(_next_or_home(request))
    form = FirstLoginForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.password_choose(
            user=user,
            password=data["password1"],
            email=data.get("email") if "email" in form.fields else None,
            mobile=data.get("mobile") if "mobile" in form.fields else None,
            request=request,
        )
        update_session_auth_hash(request, user)
        messages.success(
            request, "Votre mot de passe est enregistré : votre compte est activé."
        )
        return redirect(_next_or_home(request))
    return render(
        request,
        "accounts/first_login.html",
        {"form": form, "next": request.GET.get("next", "")},
    )


def _my_account_context(request, **extra) -> dict:
    user = request.user
    context = {
        "merged": user.merged_accounts.order_by("username"),
        "is_parent": user.profile == Profile.PARENT,
        "merge_form": extra.pop("merge_form", None) or MergeForm(),
    }
    if user.is_staff_profile:
        from allauth.mfa.models import Authenticator

        context["has_totp"] = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists()
    return context | extra


@login_required
@require_http_methods(["GET"])
def my_account(request):
    return render(request, "accounts/my_account.html", _my_account_context(request))


@login_required
@require_POST
def merge_key_generate(request):
    try:
        key = services.merge_key_generate(user=request.user, request=request)
    except services.MergeError as error:
        return render(
            request,
            "accounts/my_account.html",
            _my_account_context(request, merge_error=str(error)),
            status=400,
        )
    return render(
        request, "accounts/my_account.html", _my_account_context(request, merge_key=key)
    )


@login_required
@require_POST
def merge(request):
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            removed = services.accounts_merge(
                kept=request.user, key=form.cleaned_data["key"], request=request
            )
        except services.MergeError as error:
            form.add_error("key", str(error))
        else:
            messages.success(
                request,
                f"Le compte « {removed.username} » est fusionné dans celui-ci : "
                "tous vos enfants sont maintenant ici.",
            )
            return redirect("accounts-my-account")
    return render(
        request,
        "accounts/my_account.html",
        _my_account_context(request, merge_form=form),
        status=400,
    )
