from django.contrib import admin

from .models import ApiToken, FavouriteCode, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "employer", "updated"]
    search_fields = ["user__email", "name", "employer"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff can see and revoke (delete) tokens; the secret itself is never stored."""

    list_display = ["name", "user", "hint", "created", "last_used"]
    search_fields = ["user__email", "name", "hint"]
    readonly_fields = ["user", "name", "hint", "digest", "created", "last_used"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are issued by their owners on the account page, where the secret is shown


@admin.register(FavouriteCode)
class FavouriteCodeAdmin(admin.ModelAdmin):
    list_display = ["user", "code", "created"]
    raw_id_fields = ["user", "code"]


# CodeNote is deliberately not in the admin: a private note is read by its owner only.
