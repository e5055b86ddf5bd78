from django.contrib import admin

from .models import ApiToken, Plan, Profile, ProRequest, QuotaCounter


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
    """What each subject used of each allowance per period, read-only: e.g. to answer "why am I gated?"."""

    list_display = ["meter", "subject", "period", "used", "allowance"]
    list_filter = ["meter"]
    search_fields = ["subject", "period"]

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
