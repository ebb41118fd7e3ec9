from django.urls import path

from directory import console_views as views

school = "ecoles/<int:school_id>/"
klass = school + "classes/<int:class_id>/enseignants/"

urlpatterns = [
    path("", views.console_home, name="console-home"),
    path("journal/", views.console_audit, name="console-audit"),
    path(school + "utilisateurs/", views.console_users, name="console-users"),
    path(
        school + "utilisateurs/<int:user_id>/", views.console_user, name="console-user"
    ),
    path(
        school + "utilisateurs/<int:user_id>/photo/supprimer/",
        views.console_user_photo_remove,
        name="console-user-photo-remove",
    ),
    path(
        school + "utilisateurs/<int:user_id>/devise/supprimer/",
        views.console_user_motto_remove,
        name="console-user-motto-remove",
    ),
    path(school + "classes/", views.console_classes, name="console-classes"),
    path(
        klass + "associer/",
        views.console_class_teacher_attach,
        name="console-class-teacher-attach",
    ),
    path(
        klass + "<int:user_id>/retirer/",
        views.console_class_teacher_detach,
        name="console-class-teacher-detach",
    ),
    path(
        klass + "<int:user_id>/principal/",
        views.console_class_teacher_main,
        name="console-class-teacher-main",
    ),
    path(school + "groupes/", views.console_groups, name="console-groups"),
    path(
        school + "groupes/nouveau/",
        views.console_group_create,
        name="console-group-create",
    ),
    path(school + "groupes/<int:group_id>/", views.console_group, name="console-group"),
    path(
        school + "groupes/<int:group_id>/modifier/",
        views.console_group_edit,
        name="console-group-edit",
    ),
    path(school + "droits/", views.console_rights, name="console-rights"),
    path(
        school + "droits/<int:group_id>/",
        views.console_right_set,
        name="console-right-set",
    ),
    path(
        school + "droits/messagerie-familles/",
        views.console_family_messaging,
        name="console-family-messaging",
    ),
]
