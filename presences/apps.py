from django.apps import AppConfig


class PresencesConfig(AppConfig):
    name = "presences"

    def ready(self):
        from directory.merge import merge_handler
        from presences import home  # noqa: F401  (registers the home panel)
        from presences.services import pupil_rows_move

        merge_handler(pupil_rows_move)
