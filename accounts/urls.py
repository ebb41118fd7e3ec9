from django.urls import path

from accounts import activation_views, views

urlpatterns = [
    path("mes-donnees/", views.my_data, name="accounts-my-data"),
    path(
        "mes-donnees/telecharger/",
        views.my_data_download,
        name="accounts-my-data-download",
    ),
    path("premiere-connexion/", views.first_login, name="accounts-first-login"),
    path("mon-compte/", views.my_account, name="accounts-my-account"),
    path(
        "mon-compte/cle-de-fusion/", views.merge_key_generate, name="accounts-merge-key"
    ),
    path("mon-compte/fusionner/", views.merge, name="accounts-merge"),
    path("activer/", activation_views.start, name="accounts-activate"),
    path("activer/code/", activation_views.code, name="accounts-activate-code"),
    path(
        "activer/enfants/", activation_views.children, name="accounts-activate-children"
    ),
    path(
        "activer/mot-de-passe/",
        activation_views.password,
        name="accounts-activate-password",
    ),
]
