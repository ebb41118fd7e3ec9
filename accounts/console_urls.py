from django.urls import path

from accounts import console_views as views
from accounts.cas import console_views as cas_views

urlpatterns = [
    path("", views.accounts_index, name="accounts-console-index"),
    path(
        "<int:structure_id>/activation/",
        views.activation_dashboard,
        name="accounts-console-activation",
    ),
    path(
        "<int:structure_id>/double-authentification/",
        views.mfa_overview,
        name="accounts-console-mfa",
    ),
    path(
        "<int:structure_id>/connecteurs/",
        cas_views.connectors,
        name="cas-connectors",
    ),
    path(
        "<int:structure_id>/connecteurs/<int:connector_id>/",
        cas_views.connector_detail,
        name="cas-connector",
    ),
    path(
        "<int:structure_id>/<str:kind>/",
        views.accounts_list,
        name="accounts-console-list",
    ),
    path(
        "<int:structure_id>/<str:kind>/action/",
        views.accounts_action,
        name="accounts-console-action",
    ),
]
