"""Authentication backends that read a signed-in user from the shared cache.

Each request of a signed-in visitor loads the user (django.contrib.auth.get_user), and code pages
also need the plan and whether the email is verified (accounts/quota.py): rows that change rarely,
read on every page. They are cached together per user in the shared cache (Redis, or the database
cache table; never process memory), dropped whenever one of them is saved or deleted (the receivers below), and kept at most USER_CACHE_SECONDS and never past midnight UTC, when a
plan can start or lapse. Sessions name the backend they logged in with, so both of the site's
backends are here.
"""

import datetime

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import quota
from .models import Plan

USER_CACHE_SECONDS = 300


def _key(user_id) -> str:
    # The number changes with what an entry holds: a deploy never reads an entry of the old shape.
    return f"accounts:user:3:{user_id}"


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
            cached = (user, quota.plan_facts(user))
            cache.set(_key(user_id), cached, timeout=min(USER_CACHE_SECONDS, _seconds_to_midnight()))
        user, plan_facts = cached
        user._quota_plan_facts = plan_facts
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
def _user_row_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.user_id)
