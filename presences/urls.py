from django.urls import path

from presences import views

urlpatterns = [
    path("", views.index, name="presences-home"),
]
