from django.urls import path

from presences import views

urlpatterns = [
    path("", views.index, name="presences-home"),
    path("classe/<int:class_id>/appel/", views.call, name="presences-call"),
    path(
        "appel/<int:register_id>/eleve/<int:pupil_id>/",
        views.mark,
        name="presences-mark",
    ),
    path("appel/<int:register_id>/valider/", views.validate, name="presences-validate"),
    path("famille/", views.family, name="presences-family"),
    path("famille/<int:child_id>/declarer/", views.declare, name="presences-declare"),
    path(
        "declaration/<int:declaration_id>/piece/",
        views.attachment,
        name="presences-attachment",
    ),
    path(
        "ecole/<int:school_id>/initialiser/",
        views.initialise,
        name="presences-initialise",
    ),
    path("ecole/<int:school_id>/", views.dashboard, name="presences-dashboard"),
    path(
        "ecole/<int:school_id>/parametrages/",
        views.settings_page,
        name="presences-settings",
    ),
    path(
        "ecole/<int:school_id>/parametrages/seuils/",
        views.thresholds_save,
        name="presences-thresholds",
    ),
    path(
        "ecole/<int:school_id>/parametrages/exclusions/",
        views.exclusion_add,
        name="presences-exclusion-add",
    ),
    path(
        "ecole/<int:school_id>/parametrages/exclusions/<int:exclusion_id>/supprimer/",
        views.exclusion_remove,
        name="presences-exclusion-remove",
    ),
    path(
        "ecole/<int:school_id>/parametrages/motifs/<int:reason_id>/",
        views.reason_edit,
        name="presences-reason-edit",
    ),
    path(
        "ecole/<int:school_id>/parametrages/retards/",
        views.lateness_reason_add,
        name="presences-lateness-add",
    ),
    path(
        "ecole/<int:school_id>/eleve/<int:pupil_id>/",
        views.pupil_calendar,
        name="presences-pupil",
    ),
    path(
        "ecole/<int:school_id>/classe/<int:class_id>/registre/<str:month>/",
        views.class_month,
        name="presences-month",
    ),
    path(
        "ecole/<int:school_id>/regularisation/",
        views.regularisation,
        name="presences-regularisation",
    ),
    path(
        "ecole/<int:school_id>/evenement/<int:event_id>/regulariser/",
        views.event_regularise,
        name="presences-regularise",
    ),
    path(
        "ecole/<int:school_id>/declaration/<int:declaration_id>/traiter/",
        views.declaration_process,
        name="presences-declaration-process",
    ),
    path(
        "ecole/<int:school_id>/publipostage/",
        views.mailing,
        name="presences-mailing",
    ),
    path(
        "ecole/<int:school_id>/publipostage/modeles/",
        views.template_add,
        name="presences-template-add",
    ),
    path(
        "ecole/<int:school_id>/publipostage/historique/",
        views.mailing_history,
        name="presences-mailing-history",
    ),
    path(
        "ecole/<int:school_id>/publipostage/<int:mailing_id>/courriers/",
        views.mailing_letters,
        name="presences-mailing-letters",
    ),
]
