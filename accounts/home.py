"""What accounts adds to the home page: a tile per CAS connector the user holds
the right on, opening the service through /cas/login."""

from urllib.parse import urlencode

from django.urls import reverse

from nati.access import request_apps
from nati.cache import DIRECTORY, USER
from nati.home import Tile, tile_provider


def connector_tiles(request) -> list[Tile]:
    from accounts.cas.models import Connector

    ids = [
        int(code.split(":", 1)[1])
        for code in request_apps(request)
        if code.startswith("connector:") and code.split(":", 1)[1].isdigit()
    ]
    if not ids:
        return []
    login = reverse("cas-login")
    return [
        Tile(
            c.name,
            "link",
            f"{login}?{urlencode({'service': c.launch_url})}",
            f"Ouvrir {c.name} avec mon compte nati",
        )
        for c in Connector.objects.filter(pk__in=ids).order_by("name")
    ]


def my_account_tile(request) -> list[Tile]:
    return [
        Tile(
            "Mon compte",
            "user",
            reverse("accounts-my-account"),
            "Mot de passe, double authentification, fusion de comptes",
        )
    ]


def register() -> None:
    tile_provider(connector_tiles, cache=(DIRECTORY, USER))
    tile_provider(my_account_tile, cache=())
