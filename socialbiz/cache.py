"""The cache backend: django-redis that keeps the site working while Redis is down."""

from django_redis.cache import RedisCache


class ResilientRedisCache(RedisCache):
    """django-redis with IGNORE_EXCEPTIONS misses instead of failing; `add` also reports success.

    A lock taken with `cache.add` (allauth's rate limiter takes one around every sign-in) would
    otherwise wait and then refuse everybody for as long as Redis is away.
    """

    def add(self, *args, **kwargs) -> bool:
        added = super().add(*args, **kwargs)
        return True if added is None else added  # None: a connection error was ignored
