from django.urls import path

from messaging import console_views as views

urlpatterns = [
    path("", views.flash_home, name="messaging-flash-home"),
    path("<int:structure_id>/", views.flash_list, name="messaging-flash-list"),
    path(
        "<int:structure_id>/nouveau/", views.flash_create, name="messaging-flash-create"
    ),
    path("<int:structure_id>/<int:pk>/", views.flash_edit, name="messaging-flash-edit"),
    path(
        "<int:structure_id>/<int:pk>/supprimer/",
        views.flash_delete,
        name="messaging-flash-delete",
    ),
]
