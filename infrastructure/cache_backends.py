"""The Redis cache, failing open for `add()` as it already does for everything else.

With IGNORE_EXCEPTIONS, django-redis answers None to every call while Redis is unreachable:
reads miss and writes are dropped, so the portal gets slower but stays up. `add()` is the
exception that matters: callers use it as a lock (allauth's rate limiter takes
`cache.add(lock_key)` before counting a login attempt), and None reads as "someone else holds
the lock". allauth then waits a second and treats the attempt as over the limit, so with Redis
down nobody could log in (HTTP 429). Here an unreachable Redis means "added": the lock is taken,
the limit's history reads as empty, and the login goes ahead, unlimited until Redis is back.
"""

from django_redis.cache import RedisCache as DjangoRedisCache


class RedisCache(DjangoRedisCache):
    def add(self, *args, **kwargs):
        added = super().add(*args, **kwargs)
        return True if added is None else added
