from django.urls import path

from moderation import views

urlpatterns = [
    path("", views.index, name="moderation-support"),
    path("signalements/", views.reports, name="moderation-reports"),
]
