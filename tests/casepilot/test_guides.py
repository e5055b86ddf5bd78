"""The CasePilot knowledge base: bundled guide content, import, pages and search."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from casepilot.guides import (
    CODE_REF_RE,
    MARKDOWN_LINK_RE,
    GuideError,
    find_guides,
    load_guides,
    parse_guide,
)
from casepilot.models import Guide, GuideTopic
from codes.importers.base import CodeRow, register_release, sync_codes

BUNDLED, BUNDLED_ERRORS = load_guides()
CODE_PAGE_RE = re.compile(r"^/(icd-10-cm|icd-10-pcs|hcpcs|cpt|ms-drg)/[A-Za-z0-9.]+/$")
# Every source names its year; the main (first) source also names its section.
SOURCE_YEAR_RE = re.compile(r"(?<!\d)20\d\d(?!\d)")
SOURCE_SECTION_RE = re.compile(r"\bSections?\b|\bChapter\b|§|\bAppendix\b|\bTables?\b")

VALID = """---
title: A test guide
slug: {slug}
topic: ncci
summary: A summary.
reviewed: 2026-11-27
sources:
  - CMS NCCI Policy Manual for Medicare Services, 2024, Chapter I
keywords:
  - widget rule
codes:
  - cpt 99213
---
Some body text about the widget rule with enough words to be a body.
"""


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


# --- Content of the bundled guides -------------------------------------------------


def test_the_bundled_guides_all_parse():
    assert BUNDLED_ERRORS == []
    assert len(BUNDLED) >= 45


@pytest.mark.parametrize("guide", BUNDLED, ids=lambda g: g.slug)
def test_each_bundled_guide_is_complete(guide):
    assert guide.title
    assert guide.summary
    assert guide.keywords
    assert 250 <= guide.word_count <= 900, f"{guide.slug}: {guide.word_count} words"
    assert len(guide.summary) <= 400
    assert guide.sources
    for source in guide.sources:
        assert SOURCE_YEAR_RE.search(source), f"{guide.slug}: source without a year: {source}"
    assert SOURCE_SECTION_RE.search(guide.sources[0]), f"{guide.slug}: main source without a section"
    for ref in guide.codes:
        assert CODE_REF_RE.match(ref), ref
    # No verbatim AMA descriptor or guideline text is claimed.
    assert "copyright" not in guide.body.lower()


@pytest.mark.parametrize("guide", BUNDLED, ids=lambda g: g.slug)
def test_each_bundled_guide_links_only_to_known_pages(guide):
    slugs = {g.slug for g in BUNDLED}
    for target in MARKDOWN_LINK_RE.findall(guide.body):
        if target.startswith("/guides/"):
            assert target.removeprefix("/guides/").removesuffix("/") in slugs, target
        elif target.startswith("/"):
            assert CODE_PAGE_RE.match(target), f"{guide.slug}: {target}"
        else:
            assert target.startswith("https://"), f"{guide.slug}: {target}"


def test_the_bundled_guides_cover_every_topic():
    topics = {g.topic for g in BUNDLED}
    assert topics == set(GuideTopic.values)


# --- Parsing errors name the file and line -----------------------------------------


def test_it_parses_a_valid_guide(tmp_path):
    guide = parse_guide(_write(tmp_path, "widget.md", VALID.format(slug="widget")))
    assert guide.slug == "widget"
    assert guide.reviewed == datetime.date(2026, 11, 27)
    assert guide.codes == ["cpt 99213"]
    assert guide.code_lines["cpt 99213"] == 12


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (VALID.format(slug="other"), 3, "does not match the file name"),
        (VALID.format(slug="widget").replace("topic: ncci", "topic: astrology"), 4, "topic 'astrology'"),
        (VALID.format(slug="widget").replace("reviewed: 2026-11-27", "reviewed: soon"), 6, "reviewed must be a date"),
        (VALID.format(slug="widget").replace("  - cpt 99213", "  - 99213"), 12, "must read '<system> <code>'"),
        (VALID.format(slug="widget").replace("summary: A summary.\n", ""), 1, "no summary"),
        (VALID.format(slug="widget").replace("keywords:", "keywords: x"), 9, "takes a list"),
        (VALID.format(slug="widget").replace("title:", "author: me\ntitle:"), 2, "unknown front-matter key"),
        ("no front matter\n", 1, "must start with"),
    ],
)
def test_it_names_the_file_and_line_of_an_error(tmp_path, text, line, message):
    with pytest.raises(GuideError) as caught:
        parse_guide(_write(tmp_path, "widget.md", text))
    assert caught.value.line == line
    assert str(caught.value).startswith(f"widget.md:{line}:")
    assert message in str(caught.value)


def test_it_rejects_a_link_to_an_unknown_guide(tmp_path):
    _write(tmp_path, "widget.md", VALID.format(slug="widget") + "See [nothing](/guides/nothing/).\n")
    _, errors = load_guides(tmp_path)
    assert [str(e) for e in errors] == ["widget.md:15: link to unknown guide /guides/nothing/"]


def test_it_sanitizes_the_rendered_html(tmp_path):
    text = (
        VALID.format(slug="widget") + '\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b onclick="x">b</b>\n'
    )
    html = parse_guide(_write(tmp_path, "widget.md", text)).render()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onclick" not in html


# --- Import ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_it_imports_every_bundled_guide_and_reruns_harmlessly():
    out = StringIO()
    call_command("import_guides", stdout=out, stderr=StringIO())
    assert Guide.objects.count() == len(BUNDLED)
    assert f"{len(BUNDLED)} new" in out.getvalue()
    guide = Guide.objects.get(slug="modifier-25")
    assert guide.body_html.startswith("<")
    assert guide.sources
    assert guide.word_count >= 250

    out = StringIO()
    call_command("import_guides", stdout=out, stderr=StringIO())
    assert Guide.objects.count() == len(BUNDLED)
    assert "0 new" in out.getvalue()


@pytest.mark.django_db
def test_it_removes_guides_that_no_longer_exist_and_updates_changed_ones(tmp_path):
    _write(tmp_path, "widget.md", VALID.format(slug="widget"))
    _write(tmp_path, "gadget.md", VALID.format(slug="gadget"))
    call_command("import_guides", str(tmp_path), stdout=StringIO())
    (tmp_path / "gadget.md").unlink()
    _write(tmp_path, "widget.md", VALID.format(slug="widget").replace("A test guide", "A renamed guide"))
    out = StringIO()
    call_command("import_guides", str(tmp_path), stdout=out)
    assert list(Guide.objects.values_list("slug", "title")) == [("widget", "A renamed guide")]
    assert "1 removed" in out.getvalue()


@pytest.mark.django_db
def test_it_imports_nothing_when_one_file_is_wrong(tmp_path):
    _write(tmp_path, "widget.md", VALID.format(slug="widget"))
    _write(tmp_path, "broken.md", VALID.format(slug="broken").replace("topic: ncci", "topic: nope"))
    with pytest.raises(CommandError, match=r"broken\.md:4: topic 'nope'"):
        call_command("import_guides", str(tmp_path), stdout=StringIO())
    assert not Guide.objects.exists()


@pytest.mark.django_db
def test_it_warns_about_codes_missing_from_loaded_code_sets(tmp_path):
    release = register_release(dataset="cpt-codes", version="t", title="test")
    with transaction.atomic():
        sync_codes(system="cpt", release=release, rows=[CodeRow(code="99214", title="", billable=True)])
    _write(
        tmp_path, "widget.md", VALID.format(slug="widget").replace("  - cpt 99213", "  - cpt 99213\n  - hcpcs J1100")
    )
    err = StringIO()
    call_command("import_guides", str(tmp_path), stdout=StringIO(), stderr=err)
    # cpt is loaded and lacks 99213; HCPCS is not loaded at all, so J1100 is not checked.
    assert "widget.md:12: code cpt 99213 is not in the code tables" in err.getvalue()
    assert "J1100" not in err.getvalue()
    assert Guide.objects.filter(slug="widget").exists()


# --- Pages -------------------------------------------------------------------------


@pytest.fixture
def guides(db):
    call_command("import_guides", stdout=StringIO(), stderr=StringIO())


@pytest.mark.sqlite_smoke
def test_the_guide_list_groups_guides_by_topic(client, guides):
    response = client.get("/guides/")
    assert response.status_code == 200
    content = response.content.decode()
    for value, label in GuideTopic.choices:
        assert f'id="topic-{value}-heading">{label}</h2>' in content
    assert 'href="/guides/modifier-25/"' in content
    assert 'id="topic-modifiers"' in content


def test_the_guide_list_searches(client, guides):
    response = client.get("/guides/", {"q": "when can I use modifier 25"})
    content = response.content.decode()
    assert "Guides for" in content
    assert content.index('href="/guides/modifier-25/"') < content.index('id="topic-em"')


def test_the_guide_list_says_when_nothing_matches(client, guides):
    response = client.get("/guides/", {"q": "zzzzqqq"})
    assert "No guide matches" in response.content.decode()


@pytest.mark.sqlite_smoke
def test_a_guide_page_shows_the_article_sources_and_review_date(client, guides):
    guide = Guide.objects.get(slug="modifier-25")
    response = client.get("/guides/modifier-25/")
    assert response.status_code == 200
    content = response.content.decode()
    assert guide.title in content.replace("&amp;", "&")
    assert "Sources" in content
    assert guide.sources[0].split(",")[0] in content
    assert "Last reviewed" in content
    assert "Related guides" in content


def test_a_guide_page_links_codes_that_exist(client, guides):
    release = register_release(dataset="cpt-codes", version="t", title="test")
    with transaction.atomic():
        sync_codes(system="cpt", release=release, rows=[CodeRow(code="99213", title="", billable=True)])
    content = client.get("/guides/em-office-visits-mdm/").content.decode()
    assert 'href="/cpt/99213/"' in content
    # Codes not in the tables are shown without a link.
    assert ">99214</span>" in content


def test_an_unknown_guide_is_404(client, guides):
    assert client.get("/guides/no-such-guide/").status_code == 404


def test_guide_pages_reject_post(client, guides):
    assert client.post("/guides/modifier-25/").status_code == 405


# --- find_guides -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("when can I use modifier 25", "modifier-25"),
        ("what is an excludes1 note", "icd10cm-excludes-notes"),
        ("global period 090", "global-surgery-periods"),
        ("how many units MUE", "mue-basics"),
        ("ABN", "abn-basics"),
        ("CC MCC", "cc-mcc-and-exclusions"),
        ("mod 59 vs XS", "modifier-59-and-x-modifiers"),
        ("E/M by time total minutes", "em-time"),
        ("sepsis sequencing severe sepsis", "icd10cm-sepsis"),
        ("biopsy followed by resection PCS", "pcs-biopsy-excision-resection"),
        ("JW JZ drug waste", "hcpcs-drug-units-and-waste"),
        ("what is an LCD", "ncd-and-lcd"),
        ("placeholder X 7th character", "icd10cm-seventh-characters-placeholder"),
        ("modifier indicator 0 1 9", "ncci-modifier-indicators"),
        ("how do I code hypertension with CKD", "icd10cm-hypertension"),
        ("bilateral procedure modifier", "modifier-50-and-rt-lt"),
        ("rule out diagnosis outpatient", "icd10cm-outpatient-reporting"),
        ("return to OR during global", "modifiers-78-79"),
    ],
)
def test_find_guides_ranks_the_expected_guide_first(guides, question, slug):
    results = find_guides(question)
    assert results, question
    assert results[0].slug == slug, [g.slug for g in results]
    assert results[0].score > 0


@pytest.mark.sqlite_smoke
def test_find_guides_limits_and_orders_results(guides):
    results = find_guides("modifier", limit=3)
    assert len(results) == 3
    assert results[0].score >= results[1].score >= results[2].score


def test_find_guides_returns_nothing_for_noise(guides):
    assert find_guides("") == []
    assert find_guides("the and of") == []
    assert find_guides("xyzzy plugh") == []


def test_find_guides_can_stay_within_a_topic(guides):
    results = find_guides("modifier 25", topic="global-surgery")
    assert results
    assert {g.topic for g in results} == {"global-surgery"}


def test_find_guides_sees_a_reimport(guides, tmp_path):
    assert find_guides("widget rule") == [] or find_guides("widget rule")[0].slug != "widget"
    _write(tmp_path, "widget.md", VALID.format(slug="widget"))
    call_command("import_guides", str(tmp_path), stdout=StringIO())
    assert [g.slug for g in find_guides("widget rule")] == ["widget"]


@pytest.mark.django_db
def test_the_guides_are_in_the_sitemap(client):
    from casepilot.models import Guide

    Guide.objects.create(
        slug="modifier-59",
        title="Modifier 59",
        summary="Distinct procedural service.",
        body="Modifier 59 ...",
        body_html="<p>Modifier 59 ...</p>",
        topic="modifiers",
        sources=["CMS NCCI Policy Manual 2024"],
        updated=datetime.date(2026, 11, 1),
    )
    assert "sitemap-guides.xml" in client.get("/sitemap.xml").content.decode()
    assert "/guides/modifier-59/" in client.get("/sitemap-guides.xml").content.decode()
