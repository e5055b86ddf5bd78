"""Authentication backends that read a signed-in user from the shared cache.

Each request of a signed-in visitor loads the user (django.contrib.auth.get_user), and code pages
also need the plan, whether the email is verified (accounts/quota.py) and which codes the user
starred or noted (accounts/personal.py): rows that change rarely, read on every page. They are
cached together per user in the shared cache (Redis, or the
database cache table; never process memory), dropped whenever one of them is saved or deleted
(the receivers below), and kept at most USER_CACHE_SECONDS and never past midnight UTC, when a
plan can start or lapse. Sessions name the backend they logged in with, so both of the site's
backends are here.
"""

import datetime

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import personal, quota
from .models import CodeNote, FavouriteCode, Plan

USER_CACHE_SECONDS = 300


def _key(user_id) -> str:
    # The number changes with what an entry holds: a deploy never reads an entry of the old shape.
    return f"accounts:user:2:{user_id}"


def cache_key_for(session) -> str | None:
    """The cache key of the user signed in to `session` (None for a guest), to batch its read
    with others (codingahead/cache.py)."""
    user_id = session.get(SESSION_KEY)
    return _key(user_id) if user_id is not None else None


def _seconds_to_midnight() -> int:
    now = timezone.now()
    midnight = datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC)
    return max(1, int((midnight - now).total_seconds()))


class CachedUserMixin:
    def get_user(self, user_id):
        cached = cache.get(_key(user_id))
        if cached is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            # Read now, so they are cached with the user.
            cached = (user, quota.plan_facts(user), personal.personal_codes(user))
            cache.set(_key(user_id), cached, timeout=min(USER_CACHE_SECONDS, _seconds_to_midnight()))
        user, plan_facts, personal_codes = cached
        user._quota_plan_facts = plan_facts
        user._personal_codes = personal_codes
        if not self.user_can_authenticate(user):
            return None
        return user


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    pass


def forget_user(user_id) -> None:
    cache.delete(_key(user_id))


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.backends.user_saved")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.backends.user_deleted")
def _user_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.pk)


@receiver(post_save, sender=Plan, dispatch_uid="accounts.backends.plan_saved")
@receiver(post_delete, sender=Plan, dispatch_uid="accounts.backends.plan_deleted")
@receiver(post_save, sender=EmailAddress, dispatch_uid="accounts.backends.email_saved")
@receiver(post_delete, sender=EmailAddress, dispatch_uid="accounts.backends.email_deleted")
@receiver(post_save, sender=FavouriteCode, dispatch_uid="accounts.backends.favourite_saved")
@receiver(post_delete, sender=FavouriteCode, dispatch_uid="accounts.backends.favourite_deleted")
@receiver(post_save, sender=CodeNote, dispatch_uid="accounts.backends.note_saved")
@receiver(post_delete, sender=CodeNote, dispatch_uid="accounts.backends.note_deleted")
def _user_row_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.user_id)
