from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self):
        # Registers the home panels and the account-merge handler.
        from messaging import home, merge  # noqa: F401
