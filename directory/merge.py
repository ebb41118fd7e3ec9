"""When two accounts of one person are merged, every app moves its own rows.

An app registers a handler from its AppConfig.ready:

    @merge_handler
    def move_absences(*, kept, removed): ...

Handlers run inside the merge's transaction, in registration order, before the
removed account goes; each must move (not copy) what belongs to `removed`, and
be safe when there is nothing to move.
"""

from collections.abc import Callable

_handlers: list[Callable] = []


def merge_handler(func: Callable) -> Callable:
    _handlers.append(func)
    return func


def merge_handlers() -> list[Callable]:
    return list(_handlers)
