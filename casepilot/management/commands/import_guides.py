"""Import the CasePilot guides from casepilot/guides/*.md (reruns are harmless)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from casepilot.guides import GUIDES_DIR, ParsedGuide, load_guides
from casepilot.models import Guide
from codes.models import Code

UPDATE_FIELDS = [
    "title", "summary", "body", "body_html", "topic", "sources", "keywords", "codes", "word_count", "updated",
    "imported_at",
]  # fmt: skip


def _unknown_codes(guides: list[ParsedGuide]) -> list[tuple[ParsedGuide, str]]:
    """Code references that the loaded code sets do not have (systems not loaded are skipped)."""
    wanted: dict[str, set[str]] = {}
    for guide in guides:
        for ref in guide.codes:
            system, code = ref.split(" ", 1)
            wanted.setdefault(system, set()).add(code)
    known: dict[str, set[str]] = {}
    for system, codes in wanted.items():
        if Code.objects.filter(system=system).exists():
            known[system] = set(Code.objects.filter(system=system, code__in=codes).values_list("code", flat=True))
    missing = []
    for guide in guides:
        for ref in guide.codes:
            system, code = ref.split(" ", 1)
            if system in known and code not in known[system]:
                missing.append((guide, ref))
    return missing


class Command(BaseCommand):
    help = "Import the CasePilot guides (Markdown with front matter) into the Guide table."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(GUIDES_DIR), help="Folder of *.md guides")

    def handle(self, *args, directory: str, verbosity: int = 1, **options):
        folder = Path(directory)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        guides, errors = load_guides(folder)
        if errors:
            raise CommandError("\n".join(str(e) for e in errors))
        if not guides:
            raise CommandError(f"no guides (*.md) in {folder}")

        for guide, ref in _unknown_codes(guides):
            self.stderr.write(
                f"warning: {guide.path.name}:{guide.code_lines[ref]}: code {ref} is not in the code tables"
            )

        now = timezone.now()
        rows = [
            Guide(
                slug=g.slug,
                title=g.title,
                summary=g.summary,
                body=g.body,
                body_html=g.render(),
                topic=g.topic,
                sources=g.sources,
                keywords=g.keywords,
                codes=g.codes,
                word_count=g.word_count,
                updated=g.reviewed,
                imported_at=now,
            )
            for g in guides
        ]
        slugs = [g.slug for g in guides]
        with transaction.atomic():
            existing = set(Guide.objects.values_list("slug", flat=True))
            Guide.objects.bulk_create(rows, update_conflicts=True, unique_fields=["slug"], update_fields=UPDATE_FIELDS)
            removed, _ = Guide.objects.exclude(slug__in=slugs).delete()
        added = len(set(slugs) - existing)
        if verbosity:
            self.stdout.write(
                f"Guides: {len(rows)} imported ({added} new, {len(rows) - added} updated, {removed} removed)"
            )
