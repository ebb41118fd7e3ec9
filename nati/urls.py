from django.urls import include, path

from nati import views

urlpatterns = [
    path("", views.home_page, name="home"),
    path("_floor/", views.floor, name="floor"),
    path("compte/", include("accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("console/flash/", include("messaging.console_urls")),
    path("console/", include("directory.console_urls")),
    path("annuaire/", include("directory.urls")),
    path("presences/", include("presences.urls")),
    path("messagerie/", include("messaging.urls")),
    path("assistance/", include("moderation.urls")),
    path("gar/", include("gar.urls")),
]

handler403 = "nati.views.permission_denied"
handler404 = "nati.views.page_not_found"
