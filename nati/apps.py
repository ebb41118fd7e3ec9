from django.apps import AppConfig


class NatiConfig(AppConfig):
    name = "nati"

    def ready(self):
        from nati import checks  # noqa: F401 (registers the checks)
