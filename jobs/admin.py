from django.contrib import admin

from .models import Job, JobReport, SavedSearch


class JobReportInline(admin.TabularInline):
    model = JobReport
    extra = 0
    readonly_fields = ["reporter", "reason", "details", "created_at"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "employer_name", "status", "expires_on", "published_at", "view_count", "apply_count"]
    list_filter = ["status", "workplace", "work_setting", "employment_type"]
    search_fields = ["title", "employer_name", "owner__email"]
    readonly_fields = ["flag_reasons", "reviewed_by", "reviewed_at", "view_count", "apply_count", "published_at"]
    raw_id_fields = ["owner"]
    inlines = [JobReportInline]


@admin.register(JobReport)
class JobReportAdmin(admin.ModelAdmin):
    list_display = ["job", "reason", "created_at", "resolved_at"]
    list_filter = ["reason", "resolved_at"]
    raw_id_fields = ["job", "reporter"]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "frequency", "active", "last_sent_at"]
    raw_id_fields = ["user"]
