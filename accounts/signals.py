from allauth.account.signals import user_signed_up
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Profile


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_profile(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Every user has a profile (signup, createsuperuser, the admin), so `user.profile` always works."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


# Email verification is mandatory, so a visitor who has just registered is still a guest until they
# follow the link. The session remembers the address, so the meter can say what to do next
# ("Check your inbox to verify ...") instead of asking them to register again.
AWAITING_VERIFICATION = "awaiting_verification"


@receiver(user_signed_up)
def remember_the_address_to_verify(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[AWAITING_VERIFICATION] = user.email


@receiver(user_logged_in)
def forget_the_address_to_verify(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(AWAITING_VERIFICATION, None)
