from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self):
        from moderation import merge  # noqa: F401  (registers the merge handler)
