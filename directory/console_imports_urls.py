from django.urls import path

from directory import console_imports as views

urlpatterns = [
    path("", views.run_list, name="imports-runs"),
    path("<int:pk>/", views.run_detail, name="imports-run"),
    path("<int:pk>/rejets.csv", views.run_rejected_csv, name="imports-rejected-csv"),
    path("<int:pk>/progression/", views.run_progress, name="imports-progress"),
    path("<int:pk>/appliquer/", views.onde_apply, name="imports-onde-apply"),
    path("retenues/", views.held_list, name="imports-held"),
    path(
        "retenues/<int:pk>/<str:decision>/",
        views.held_decide,
        name="imports-held-decide",
    ),
    path("doublons/", views.duplicate_list, name="imports-duplicates"),
    path("doublons/<int:pk>/", views.duplicate_compare, name="imports-duplicate"),
    path(
        "doublons/<int:pk>/dissocier/",
        views.duplicate_dissociate,
        name="imports-duplicate-dissociate",
    ),
    path(
        "doublons/<int:pk>/fusionner/",
        views.duplicate_merge,
        name="imports-duplicate-merge",
    ),
    path("pre-supprimes/", views.predeleted_list, name="imports-predeleted"),
    path(
        "pre-supprimes/<int:user_id>/reintegrer/",
        views.predeleted_reintegrate,
        name="imports-reintegrate",
    ),
    path("courriers-bloques/", views.blocked_list, name="imports-blocked"),
    path("onde/<int:structure_id>/", views.onde_upload, name="imports-onde"),
]
