from django.contrib import admin

from .models import ApiToken, CodeView, FavouriteCode, Plan, Profile, ProRequest, QuotaCounter


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


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Staff grant Pro here (no payment integration yet); a plan lapses by itself after `ends`."""

    list_display = ["user", "name", "starts", "ends", "is_current", "granted_by", "note"]
    list_filter = ["name", "ends"]
    search_fields = ["user__email", "note"]
    raw_id_fields = ["user"]
    readonly_fields = ["granted_by", "created"]

    @admin.display(boolean=True, description="Current")
    def is_current(self, plan: Plan) -> bool:
        return plan.is_current

    def save_model(self, request, obj: Plan, form, change: bool) -> None:
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(QuotaCounter)
class QuotaCounterAdmin(admin.ModelAdmin):
    """Views used per subject and period, read-only: e.g. to answer "why am I gated?"."""

    list_display = ["subject", "period", "used", "allowance"]
    search_fields = ["subject", "period"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CodeView)
class CodeViewAdmin(admin.ModelAdmin):
    list_display = ["subject", "period", "code", "user", "viewed"]
    search_fields = ["subject", "user__email"]
    raw_id_fields = ["code", "user"]
    list_select_related = ["code", "user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProRequest)
class ProRequestAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "seats", "created", "handled"]
    list_filter = ["handled"]
    list_editable = ["handled"]
    search_fields = ["name", "email", "organisation"]
