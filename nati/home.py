"""What other apps put on the home page, registered from their AppConfig.ready.

A panel is a function(request) returning a dict with a `template` key and the
context it needs, or None when it has nothing to show. A tile provider returns
extra tiles for "Mes applis" (connectors opened through CAS, for instance).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    name: str
    icon: str
    url: str
    description: str = ""


_panels: list[tuple[int, Callable]] = []
_tile_providers: list[Callable] = []


def home_panel(order: int):
    def register(func: Callable) -> Callable:
        _panels.append((order, func))
        _panels.sort(key=lambda item: item[0])
        return func

    return register


def tile_provider(func: Callable) -> Callable:
    _tile_providers.append(func)
    return func


# Panels ordered below this number are banners shown above "Mes applis" (flash
# messages); the others (the news feed, a teacher's classes) come after it.
BANNER_ORDER = 10


def panels_for(request) -> tuple[list[dict], list[dict]]:
    """(banners, panels): what the apps have to show on this user's home page."""
    banners, panels = [], []
    for order, func in _panels:
        panel = func(request)
        if panel is not None:
            (banners if order < BANNER_ORDER else panels).append(panel)
    return banners, panels


def extra_tiles_for(request) -> list[Tile]:
    return [tile for func in _tile_providers for tile in func(request)]
