"""Who is signed in and what they may do, read from the shared cache between changes instead of the database on every
request.

Django's ModelBackend loads the signed-in user (one query) and, at the first permission check, their own and their
groups' permissions (two more) on every request. CachedModelBackend keeps the user with their permissions in the cache
(Redis in production) under an "auth generation": any change to a user, a group, a permission or who belongs where
(Django admin, ensure_roles on migrate, the shell through the ORM) sets a new generation, so the next request of every
agent reads the database again. Entries also expire after AUTH_CACHE_SECONDS, which bounds what a change made outside
the ORM's signals (raw SQL) can leave stale. Deactivating an agent, changing their password or their role therefore
applies from their next request, as before.
"""

import copy
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "auth:generation"
AUTH_CACHE_SECONDS = 60
PERMISSION_CACHES = ("_perm_cache", "_user_perm_cache", "_group_perm_cache")


def _user_key(user_id) -> str:
    return f"auth:user:{user_id}"


def _generation() -> str:
    """The current generation; a new one when the cache has none (first use, or evicted: nothing cached is trusted)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY) or generation
    return generation


def auth_cache_invalidate(**kwargs) -> None:
    """A user, group, permission or membership changed: nothing cached before now is used again."""
    if kwargs.get("signal") is post_save and set(kwargs.get("update_fields") or ()) == {"last_login"}:
        return  # every sign-in saves last_login, which decides nothing here
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


class CachedModelBackend(ModelBackend):
    """ModelBackend whose get_user brings the user's permissions along, both from the cache when nothing changed."""

    def get_user(self, user_id):
        found = cache.get_many([GENERATION_KEY, _user_key(user_id)])
        generation, entry = found.get(GENERATION_KEY), found.get(_user_key(user_id))
        if entry is not None and generation is not None and entry[0] == generation:
            _, user, permissions = entry
            user._perm_cache = set(permissions)
            return user
        generation = generation or _generation()
        user = super().get_user(user_id)
        if user is None or not user.is_active:
            return user
        permissions = frozenset(self.get_all_permissions(user))
        kept = copy.copy(user)  # kept without the permission sets ModelBackend hangs on the instance
        for name in PERMISSION_CACHES:
            kept.__dict__.pop(name, None)
        cache.set(_user_key(user_id), (generation, kept, permissions), timeout=AUTH_CACHE_SECONDS)
        return user


def connect_signals() -> None:
    """Invalidate on every change that decides who is who and may do what (CoreConfig.ready)."""
    user_model = get_user_model()
    for model in (user_model, Group, Permission):
        post_save.connect(auth_cache_invalidate, sender=model, dispatch_uid=f"auth-cache-save-{model._meta.label}")
        post_delete.connect(auth_cache_invalidate, sender=model, dispatch_uid=f"auth-cache-delete-{model._meta.label}")
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(auth_cache_invalidate, sender=through, dispatch_uid=f"auth-cache-m2m-{through._meta.label}")
