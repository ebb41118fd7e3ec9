"""What other apps put on the home page, registered from their AppConfig.ready.

A panel is a function(request) returning a dict with a `template` key and the
context it needs, or None when it has nothing to show. A tile provider returns
extra tiles for "Mes applis" (connectors opened through CAS, for instance).

Either may name the scopes its answer depends on (`cache=`, see nati/cache.py):
its answer is then kept in the user's cache until one of them changes, and
`key(request)` may add what else it depends on (today's date, the school year).
The home page reads every kept answer in one round trip.
"""

from collections.abc import Callable
from dataclasses import dataclass

from nati.cache import COMMON, user_cache


@dataclass(frozen=True)
class Tile:
    name: str
    icon: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class _Source:
    func: Callable
    scopes: tuple[str, ...] | None
    key: Callable | None

    def entry(self, request) -> str:
        name = f"home:{self.func.__module__}.{self.func.__name__}"
        return f"{name}:{self.key(request)}" if self.key else name

    def __call__(self, request):
        if self.scopes is None:
            return self.func(request)
        return user_cache(request).get(
            self.entry(request), self.scopes, lambda: self.func(request)
        )


_panels: list[tuple[int, _Source]] = []
_tile_providers: list[_Source] = []


def home_panel(order: int, *, cache: tuple[str, ...] | None = None, key=None):
    def register(func: Callable) -> Callable:
        _panels.append((order, _Source(func, cache, key)))
        _panels.sort(key=lambda item: item[0])
        return func

    return register


def tile_provider(func: Callable | None = None, *, cache=None, key=None):
    """@tile_provider, @tile_provider(cache=…) or tile_provider(func, cache=…)."""

    def register(func: Callable) -> Callable:
        _tile_providers.append(_Source(func, cache, key))
        return func

    return register(func) if func is not None else register


# Panels ordered below this number are banners shown above "Mes applis" (flash
# messages); the others (the news feed, a teacher's classes) come after it.
BANNER_ORDER = 10


def prefetch(request, extra: dict[str, tuple[str, ...]]) -> None:
    """Everything the home page keeps in the cache, in one round trip."""
    sources = [source for _, source in _panels] + _tile_providers
    entries = {
        source.entry(request): source.scopes
        for source in sources
        if source.scopes is not None
    }
    user_cache(request).prefetch({**COMMON, **entries, **extra})


def panels_for(request) -> tuple[list[dict], list[dict]]:
    """(banners, panels): what the apps have to show on this user's home page."""
    banners, panels = [], []
    for order, source in _panels:
        panel = source(request)
        if panel is not None:
            (banners if order < BANNER_ORDER else panels).append(panel)
    return banners, panels


def extra_tiles_for(request) -> list[Tile]:
    return [tile for source in _tile_providers for tile in source(request)]
