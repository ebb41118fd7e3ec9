from django.apps import AppConfig


class GarConfig(AppConfig):
    name = "gar"
