"""What one app process remembers by itself, for a while, besides the shared cache.

Used where a value is read on almost every request and either never changes under its key (a
shared rendering) or may lag behind by a bounded time (sites, recent routes). Each use names its
own lifetime and size.
"""

import threading
import time
from collections import OrderedDict

_all: list["Recent"] = []


class Recent:
    """Values this process used last, each kept `ttl` seconds at most and `size` of them at most
    (the least recently used go first). Shared by the threads of the process."""

    def __init__(self, *, size: int, ttl: float):
        self.size, self.ttl = size, ttl
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        _all.append(self)

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key, value) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic() + self.ttl, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def pop(self, key) -> None:
        with self.lock:
            self.entries.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def forget_everything() -> None:
    """Forget all this process remembers (each test starts from nothing)."""
    for memory in _all:
        memory.clear()
