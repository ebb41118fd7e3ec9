from django.urls import path

from messaging import views

urlpatterns = [
    path("", views.index, name="messaging-inbox"),
    path("envoyes/", views.sent, name="messaging-sent"),
    path("brouillons/", views.drafts, name="messaging-drafts"),
    path("corbeille/", views.trash, name="messaging-trash"),
    path("ecrire/", views.compose, name="messaging-compose"),
    path("brouillons/<int:pk>/", views.compose, name="messaging-draft"),
    path("brouillons/<int:pk>/envoyer/", views.confirm, name="messaging-confirm"),
    path(
        "brouillons/<int:pk>/supprimer/",
        views.draft_delete,
        name="messaging-draft-delete",
    ),
    path("destinataires/", views.recipients, name="messaging-recipients"),
    path("message/<int:pk>/", views.message_detail, name="messaging-message"),
    path("message/<int:pk>/lu/", views.mark, name="messaging-mark"),
    path("message/<int:pk>/corbeille/", views.trash_move, name="messaging-trash-move"),
    path("message/<int:pk>/restaurer/", views.restore, name="messaging-restore"),
    path("message/<int:pk>/supprimer/", views.delete, name="messaging-delete"),
    path(
        "envoye/<int:pk>/corbeille/",
        views.sent_trash_move,
        name="messaging-sent-trash-move",
    ),
    path(
        "envoye/<int:pk>/restaurer/", views.sent_restore, name="messaging-sent-restore"
    ),
    path("envoye/<int:pk>/supprimer/", views.sent_delete, name="messaging-sent-delete"),
    path("piece-jointe/<int:pk>/", views.attachment, name="messaging-attachment"),
    path("preferences/", views.preferences, name="messaging-preferences"),
    path("fil/", views.feed, name="messaging-feed"),
    path("fil/<int:pk>/signaler/", views.report, name="messaging-report"),
    path("flash/<int:pk>/fermer/", views.flash_close, name="messaging-flash-close"),
]
