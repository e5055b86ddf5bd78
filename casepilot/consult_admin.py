"""Admin for CaseConsultant: consultations with their thread, inbound and outbound mail (with resend)."""

from django.contrib import admin, messages
from django.utils import timezone

from .models import Consultation, ConsultMessage, InboundEmail, OutboundEmail
from .tasks import deliver_email_task, process_inbound_task


class ConsultMessageInline(admin.StackedInline):
    model = ConsultMessage
    extra = 0
    fields = ["author_kind", "author", "via", "body", "phi_counts", "notes", "message_id", "created"]
    readonly_fields = ["message_id", "created", "phi_counts"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["pk", "subject", "user", "status", "claimed_by", "created", "updated"]
    list_filter = ["status"]
    search_fields = ["subject", "user__email", "token"]
    raw_id_fields = ["user", "claimed_by"]
    inlines = [ConsultMessageInline]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "error", "created", "sent_at"]
    list_filter = ["status", "auto_submitted"]
    search_fields = ["to", "subject", "message_id"]
    readonly_fields = [
        "message_id",
        "in_reply_to",
        "references",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created",
    ]
    actions = ["resend"]

    @admin.display(description="Last error")
    def error(self, outbound: OutboundEmail) -> str:
        return outbound.last_error[:120]

    @admin.action(description="Send again (queue for the worker)")
    def resend(self, request, queryset) -> None:
        count = 0
        for outbound in queryset:
            outbound.status = OutboundEmail.Status.QUEUED
            outbound.next_attempt_at = timezone.now()
            outbound.save(update_fields=["status", "next_attempt_at"])
            deliver_email_task.enqueue(outbound_id=outbound.pk)
            count += 1
        self.message_user(request, f"{count} message(s) queued again.", messages.SUCCESS)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["message_id", "source", "status", "outcome", "attempts", "received_at"]
    list_filter = ["status", "source"]
    search_fields = ["message_id", "sender"]
    exclude = ["raw"]
    readonly_fields = [
        "message_id",
        "sha256",
        "size",
        "source",
        "sender",
        "outcome",
        "attempts",
        "last_error",
        "consultation",
        "received_at",
        "processed_at",
    ]
    actions = ["reprocess"]

    @admin.action(description="Process again (failed messages only)")
    def reprocess(self, request, queryset) -> None:
        failed = list(queryset.filter(status=InboundEmail.Status.FAILED))
        for inbound in failed:
            inbound.status = InboundEmail.Status.PENDING
            inbound.save(update_fields=["status"])
            process_inbound_task.enqueue(inbound_id=inbound.pk)
        self.message_user(request, f"{len(failed)} message(s) queued again.", messages.SUCCESS)
