from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"

    def ready(self):
        from directory import home  # noqa: F401  (registers the home panel)
