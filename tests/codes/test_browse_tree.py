"""Browse pages read as the book does: blocks indented under the block that holds them."""

import pytest

from codes.models import Code, Kind, compact_code

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _node(code, title, kind, parent=None, sort_key=""):
    node = Code.objects.create(
        system="icd-10-cm",
        code=code,
        compact=compact_code(code),
        title=title,
        kind=kind,
        parent=parent,
        sort_key=sort_key,
        lineage=[*(parent.lineage if parent else []), *([parent.pk] if parent else [])],
    )
    return node


@pytest.fixture
def chapter_13():
    chapter = _node("13", "Diseases of the musculoskeletal system and connective tissue (M00-M99)", Kind.CHAPTER)
    for i, (code, title) in enumerate(
        [
            ("M00-M25", "Arthropathies (M00-M25)"),
            ("M00-M02", "Infectious arthropathies (M00-M02)"),
            ("M04-M04", "Autoinflammatory syndromes (M04)"),
            ("M26-M27", "Dentofacial anomalies and other disorders of jaw (M26-M27)"),
        ]
    ):
        _node(code, title, Kind.SECTION, parent=chapter, sort_key=f"{i:03}")
    return chapter


def test_a_chapter_indents_its_blocks_and_drops_repeated_ranges(client, chapter_13):
    html = client.get("/icd-10-cm/browse/13/").content.decode()
    assert "Chapter 13" in html
    arthropathies = html.index(">M00-M25</a>")
    nested = html.index('class="code-list code-list--nested"')
    assert arthropathies < nested < html.index(">M00-M02</a>") < html.index(">M04</a>")
    # M26-M27 is outside M00-M25: back at the chapter's level, after the nested list closes.
    assert html.index("</ul>", nested) < html.index(">M26-M27</a>")
    assert "Arthropathies (M00-M25)" not in html
    assert "M04-M04</a>" not in html


def test_the_breadcrumb_names_the_chapter(client, chapter_13):
    block = Code.objects.get(code="M00-M02")
    html = client.get(f"/icd-10-cm/browse/{block.code}/").content.decode()
    assert ">Chapter 13</a>" in html
