from django.urls import path

from directory import views

urlpatterns = [
    path("", views.annuaire, name="directory-annuaire"),
    path("favoris/", views.favourites_create, name="directory-favourites-create"),
    path(
        "favoris/<int:group_id>/",
        views.favourites_edit,
        name="directory-favourites-edit",
    ),
    path(
        "favoris/<int:group_id>/supprimer/",
        views.favourites_delete,
        name="directory-favourites-delete",
    ),
]
