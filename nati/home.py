"""What other apps put on the home page, registered from their AppConfig.ready.

A panel is a function(request) returning a dict with a `template` key and the
context it needs, or None when it has nothing to show. A tile provider returns
extra tiles for "Mes applis" (connectors opened through CAS, for instance).

Each names the scopes its answer depends on (`cache=`, see nati/cache.py), and
`key(request)` may add what else it does (today's date, the school year): its
answer is kept in the user's cache until one of them changes. The page's body
(tiles and panels) is kept as HTML under the union of their scopes, so a page
whose facts have not changed costs one round trip to the cache; banners (flash
messages, which carry a form) may keep nothing and are rendered each time.
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


# Panels ordered below this number are banners shown above "Mes applis" (flash
# messages); the others (the news feed, a teacher's classes) come after it.
BANNER_ORDER = 10

_panels: list[tuple[int, _Source]] = []
_tile_providers: list[_Source] = []


def home_panel(order: int, *, cache: tuple[str, ...] | None = None, key=None):
    if order >= BANNER_ORDER and cache is None:
        raise ValueError("a panel below the banners must name its scopes (cache=)")

    def register(func: Callable) -> Callable:
        _panels.append((order, _Source(func, cache, key)))
        _panels.sort(key=lambda item: item[0])
        return func

    return register


def tile_provider(func: Callable | None = None, *, cache=None, key=None):
    """@tile_provider(cache=…) or tile_provider(func, cache=…)."""

    if cache is None:
        raise ValueError("a tile provider must name its scopes (cache=)")

    def register(func: Callable) -> Callable:
        _tile_providers.append(_Source(func, cache, key))
        return func

    return register(func) if func is not None else register


def _body_sources() -> list[_Source]:
    return [s for order, s in _panels if order >= BANNER_ORDER] + _tile_providers


def body_entry(request, scopes: tuple[str, ...]) -> tuple[str, tuple]:
    """The name and scopes of the home page's body (tiles and panels, not the
    banners) kept as HTML: every source of it must name its scopes."""
    sources = _body_sources()
    keys = [str(source.key(request)) for source in sources if source.key]
    union = dict.fromkeys(scopes)
    for source in sources:
        union.update(dict.fromkeys(source.scopes))
    return ":".join(["home:body", *keys]), tuple(union)


def prefetch(request, extra: dict[str, tuple[str, ...]], *, body: bool) -> None:
    """What the home page keeps in the cache, in one round trip: the banners'
    sources (and with `body` the others') with the `extra` entries."""
    sources = [source for order, source in _panels if order < BANNER_ORDER]
    if body:
        sources += _body_sources()
    entries = {
        source.entry(request): source.scopes
        for source in sources
        if source.scopes is not None
    }
    user_cache(request).prefetch({**COMMON, **entries, **extra})


def panels_for(request, *, banners: bool) -> list[dict]:
    """The banners (flash messages) or the other panels the apps have to show
    on this user's home page."""
    found = []
    for order, source in _panels:
        if (order < BANNER_ORDER) == banners:
            panel = source(request)
            if panel is not None:
                found.append(panel)
    return found


def extra_tiles_for(request) -> list[Tile]:
    return [tile for source in _tile_providers for tile in source(request)]
