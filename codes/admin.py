from django import forms
from django.contrib import admin
from django.utils import timezone

from .models import Code, CodeChange, CodeView, FavouriteCode, PlainDescription, Release, Synonym


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["dataset", "version", "title", "effective_date", "row_count", "imported_at"]
    list_filter = ["dataset"]
    search_fields = ["title", "dataset", "version"]


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["code", "system", "kind", "title", "billable", "deleted"]
    list_filter = ["system", "kind", "billable", "deleted"]
    search_fields = ["compact", "code", "title"]
    raw_id_fields = ["parent"]
    readonly_fields = ["release", "first_release", "lineage"]
    show_full_result_count = False


@admin.register(CodeChange)
class CodeChangeAdmin(admin.ModelAdmin):
    list_display = ["code", "change", "release"]
    list_filter = ["change", "release"]
    raw_id_fields = ["code"]


class PlainDescriptionForm(forms.ModelForm):
    """The sources are edited one per line rather than as JSON."""

    sources = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One public source per line (tabular notes, NCCI manual chapter, Claims Processing Manual section...)",
    )

    class Meta:
        model = PlainDescription
        fields = ["system", "code", "short_title", "text", "sources", "reviewed", "author", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["sources"] = "\n".join(self.instance.sources)

    def clean_sources(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["sources"].splitlines() if line.strip()]


@admin.register(PlainDescription)
class PlainDescriptionAdmin(admin.ModelAdmin):
    """Any change made here makes the row the editor's: imports keep it (see
    codes/importers/plain_language.py) until "hand back" returns it to the bundled text."""

    form = PlainDescriptionForm
    list_display = ["code", "system", "short_title", "author", "status", "reviewed", "is_edited", "updated"]
    list_filter = ["system", "status"]
    search_fields = ["code", "short_title", "text"]
    actions = ["publish", "unpublish", "hand_back"]

    @admin.display(boolean=True, description="Edited")
    def is_edited(self, obj: PlainDescription) -> bool:
        return obj.edited

    @admin.action(description="Publish the selected descriptions")
    def publish(self, request, queryset):
        queryset.filter(published__isnull=True).update(published=timezone.now())
        queryset.update(status=PlainDescription.Status.PUBLISHED)

    @admin.action(description="Return the selected descriptions to draft")
    def unpublish(self, request, queryset):
        queryset.update(status=PlainDescription.Status.DRAFT)

    @admin.action(description="Hand back to the bundled text at the next import")
    def hand_back(self, request, queryset):
        for row in queryset:
            row.bundled_sha = row.content_sha()  # matches again: the next import may overwrite it
            row.status = PlainDescription.Status.PUBLISHED
            row.published = row.published or timezone.now()
            row.save(update_fields=["bundled_sha", "status", "published", "updated"])

    def save_model(self, request, obj, form, change):
        if obj.status == PlainDescription.Status.PUBLISHED and obj.published is None:
            obj.published = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Case2Code synonyms. A text synonym (a replacement) works in the next search; a code
    synonym joins its code's search document at the next `build_search_index`. Rows you add
    or change here become the editor's and survive `seed_synonyms`, which replaces only the
    rows of the curated list and the code sets."""

    list_display = ["term", "replacement", "system", "code", "source", "note"]
    list_filter = ["source", "system"]
    search_fields = ["term", "replacement", "code"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            obj.source = Synonym.Source.EDITOR
            if "note" not in form.changed_data:
                obj.note = "Edited in the admin"
        super().save_model(request, obj, form, change)


@admin.register(FavouriteCode)
class FavouriteCodeAdmin(admin.ModelAdmin):
    list_display = ["user", "code", "created"]
    raw_id_fields = ["user", "code"]


# CodeNote is deliberately not in the admin: a private note is read by its owner only.


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
