from django.urls import path

from accounts import views

urlpatterns = [
    path("mes-donnees/", views.my_data, name="accounts-my-data"),
    path(
        "mes-donnees/telecharger/",
        views.my_data_download,
        name="accounts-my-data-download",
    ),
]
