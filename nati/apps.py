from django.apps import AppConfig


class NatiConfig(AppConfig):
    name = "nati"
