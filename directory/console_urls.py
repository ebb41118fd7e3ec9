from django.urls import path

from directory import console_views as views

urlpatterns = [
    path("", views.console_home, name="console-home"),
]
