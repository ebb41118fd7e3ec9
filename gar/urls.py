from django.urls import path

from gar import views

urlpatterns = [
    path("", views.index, name="gar-home"),
]
