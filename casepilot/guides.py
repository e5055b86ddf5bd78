"""The CasePilot knowledge base: reading the bundled Markdown guides and finding them.

Each guide is one file in casepilot/guides/ with a small front-matter block:

    ---
    title: Modifier 25 and same-day E/M
    slug: modifier-25
    topic: modifiers
    summary: One or two sentences.
    reviewed: 2026-11-27
    sources:
      - CMS NCCI Policy Manual for Medicare Services, 2024, Chapter XI
    keywords:
      - modifier 25
    codes:
      - cpt 99213
    ---
    Markdown body...

The format is deliberately smaller than YAML (no dependency, and every error can name
its line): `key: value` scalars and `- item` block lists.

`find_guides` ranks guides for a question in Python (BM25 over weighted fields plus a
bonus for keyword phrases): the base is small (tens of guides), so this behaves the
same on PostgreSQL and SQLite and needs no search index in the database.
"""

import datetime
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import nh3
from django.db.models import Count, Max

from casepilot.models import Guide, GuideTopic
from codes.models import System

GUIDES_DIR = Path(__file__).resolve().parent / "guides"

SCALAR_FIELDS = ("title", "slug", "topic", "summary", "reviewed")
LIST_FIELDS = ("sources", "keywords", "codes")
REQUIRED_LISTS = ("sources", "keywords")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_REF_RE = re.compile(r"^(?P<system>[a-z0-9-]+) (?P<code>[A-Za-z0-9.]{2,10})$")
# Links inside a guide to another guide.
GUIDE_LINK_RE = re.compile(r"\]\(/guides/([a-z0-9-]+)/\)")
MARKDOWN_LINK_RE = re.compile(r"\[[^\]]+\]\(([^)\s]+)\)")

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip


class GuideError(ValueError):
    """A guide file that cannot be imported; the message names the file and line."""

    def __init__(self, path: Path, line: int, message: str):
        self.path, self.line = path, line
        super().__init__(f"{path.name}:{line}: {message}")


@dataclass
class ParsedGuide:
    path: Path
    title: str
    slug: str
    topic: str
    summary: str
    reviewed: datetime.date
    sources: list[str]
    keywords: list[str]
    codes: list[str]
    body: str
    # Line of each code reference in the file, for warnings.
    code_lines: dict[str, int] = field(default_factory=dict)

    @property
    def word_count(self) -> int:
        return count_words(self.body)

    def render(self) -> str:
        return render_markdown(self.body)

    def guide_links(self) -> list[str]:
        return GUIDE_LINK_RE.findall(self.body)


def count_words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'./-]*", text))


def render_markdown(body: str) -> str:
    html = markdown.markdown(body, extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"https", "http", "mailto"},
    )


def parse_guide(path: Path) -> ParsedGuide:
    """Read one guide file; raise GuideError naming the line of the first problem."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---":
        raise GuideError(path, 1, "the file must start with a '---' front-matter line")
    meta: dict[str, object] = {}
    lines_of: dict[str, int] = {}
    code_lines: dict[str, int] = {}
    current_list: str | None = None
    end = None
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            end = number
            break
        if not line.strip():
            continue
        if line.startswith((" ", "-")):
            item = line.strip()
            if not item.startswith("- ") or current_list is None:
                raise GuideError(path, number, f"unexpected line {line.strip()!r} (list items follow a list key)")
            value = item[2:].strip()
            if not value:
                raise GuideError(path, number, f"empty item in {current_list}")
            meta[current_list].append(value)
            if current_list == "codes":
                code_lines[value] = number
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in SCALAR_FIELDS + LIST_FIELDS:
            raise GuideError(path, number, f"unknown front-matter key {key!r}")
        if key in meta:
            raise GuideError(path, number, f"{key} is given twice")
        lines_of[key] = number
        if key in LIST_FIELDS:
            if value:
                raise GuideError(path, number, f"{key} takes a list: put each item on its own '  - ' line")
            meta[key], current_list = [], key
        else:
            if not value:
                raise GuideError(path, number, f"{key} is empty")
            meta[key], current_list = value, None
    if end is None:
        raise GuideError(path, len(lines), "the front matter is not closed with '---'")

    for key in SCALAR_FIELDS:
        if key not in meta:
            raise GuideError(path, 1, f"the front matter has no {key}")
    for key in REQUIRED_LISTS:
        if not meta.get(key):
            raise GuideError(path, lines_of.get(key, 1), f"{key} needs at least one item")
    meta.setdefault("codes", [])

    if not SLUG_RE.match(meta["slug"]):
        raise GuideError(path, lines_of["slug"], f"slug {meta['slug']!r} must be lower-case words joined by hyphens")
    if meta["slug"] != path.stem:
        raise GuideError(path, lines_of["slug"], f"slug {meta['slug']!r} does not match the file name")
    if meta["topic"] not in GuideTopic.values:
        raise GuideError(
            path, lines_of["topic"], f"topic {meta['topic']!r} is not one of {', '.join(GuideTopic.values)}"
        )
    try:
        reviewed = datetime.date.fromisoformat(meta["reviewed"])
    except ValueError:
        raise GuideError(path, lines_of["reviewed"], "reviewed must be a date like 2026-11-27") from None
    for ref in meta["codes"]:
        match = CODE_REF_RE.match(ref)
        if not match or match["system"] not in System.values:
            raise GuideError(path, code_lines[ref], f"code {ref!r} must read '<system> <code>', e.g. 'cpt 99213'")

    body = "\n".join(lines[end:]).strip() + "\n"
    if len(body.split()) < 2:
        raise GuideError(path, end, "the guide has no body")
    return ParsedGuide(
        path=path,
        title=meta["title"],
        slug=meta["slug"],
        topic=meta["topic"],
        summary=meta["summary"],
        reviewed=reviewed,
        sources=meta["sources"],
        keywords=meta["keywords"],
        codes=meta["codes"],
        body=body,
        code_lines=code_lines,
    )


def load_guides(directory: Path = GUIDES_DIR) -> tuple[list[ParsedGuide], list[GuideError]]:
    """Every guide in the directory, and the errors of those that could not be read."""
    guides, errors = [], []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.md")):
        try:
            guide = parse_guide(path)
        except GuideError as error:
            errors.append(error)
            continue
        if guide.slug in seen:
            errors.append(GuideError(path, 1, f"slug {guide.slug!r} is also used by {seen[guide.slug].name}"))
            continue
        seen[guide.slug] = path
        guides.append(guide)
    slugs = set(seen)
    for guide in guides:
        for target in dict.fromkeys(guide.guide_links()):
            if target not in slugs:
                line = next(
                    (n for n, t in enumerate(guide.path.read_text().splitlines(), 1) if f"/guides/{target}/" in t), 1
                )
                errors.append(GuideError(guide.path, line, f"link to unknown guide /guides/{target}/"))
    return guides, errors


# --- Search -----------------------------------------------------------------------

STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "if", "in", "is", "it", "its", "me", "my", "of", "on", "or", "the", "this", "to", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your", "should", "would", "could", "there", "their", "them", "than", "then", "that", "these", "those", "we", "our", "us", "any", "about", "into", "may", "might", "must", "use", "using", "used", "get"]
)  # fmt: skip
SYNONYMS = {"mod": "modifier", "e/m": "em", "e&m": "em", "evaluation": "em", "dx": "diagnosis"}
# Field weights: a word in the title or a keyword says more than one in the body.
WEIGHTS = {"title": 4.0, "keywords": 4.0, "codes": 4.0, "summary": 2.0, "body": 1.0}
PHRASE_BONUS = 6.0
K1, B = 1.2, 0.5

_TOKEN_RE = re.compile(r"e/m|e&m|[a-z0-9]+(?:\.[a-z0-9]+)?")


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    words = (SYNONYMS.get(w, w) for w in _TOKEN_RE.findall(text.lower()))
    return [_stem(w) for w in words if w not in STOPWORDS]


@dataclass
class _Doc:
    pk: int
    topic: str
    terms: Counter
    length: float
    phrases: list[tuple[str, ...]]


_index: dict = {"key": None, "docs": [], "df": Counter(), "avg": 1.0}


def _build_index() -> dict:
    key = tuple(Guide.objects.aggregate(n=Count("pk"), at=Max("imported_at")).values())
    if _index["key"] == key:
        return _index
    docs = []
    for row in Guide.objects.values("pk", "topic", "title", "summary", "body", "keywords", "codes"):
        fields = {
            "title": row["title"],
            "keywords": " ".join(row["keywords"]),
            "codes": " ".join(ref.split(" ", 1)[-1] for ref in row["codes"]),
            "summary": row["summary"],
            "body": row["body"],
        }
        terms: Counter = Counter()
        for name, text in fields.items():
            for token in tokenize(text):
                terms[token] += WEIGHTS[name]
        phrases = [tuple(tokenize(k)) for k in [*row["keywords"], row["title"]]]
        docs.append(_Doc(row["pk"], row["topic"], terms, sum(terms.values()), [p for p in phrases if p]))
    df: Counter = Counter()
    for doc in docs:
        df.update(doc.terms.keys())
    avg = sum(d.length for d in docs) / len(docs) if docs else 1.0
    _index.update(key=key, docs=docs, df=df, avg=avg)
    return _index


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def find_guides(query: str, limit: int = 5, *, topic: str | None = None) -> list[Guide]:
    """The guides that best answer a question, best first; each carries a `score` attribute.

    Returns an empty list when no guide shares a meaningful word with the question.
    """
    words = tokenize(query or "")
    if not words or limit <= 0:
        return []
    index = _build_index()
    n = len(index["docs"])
    query_tuple = tuple(words)
    scored = []
    for doc in index["docs"]:
        if topic and doc.topic != topic:
            continue
        score = 0.0
        for word in set(words):
            tf = doc.terms.get(word)
            if not tf:
                continue
            df = index["df"][word]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * doc.length / index["avg"]))
        if score <= 0:
            continue
        # A guide whose keyword phrase (two words or more) appears in the question, or
        # whose keyword is the whole question, is what the asker means.
        for phrase in doc.phrases:
            if (len(phrase) > 1 and _contains(query_tuple, phrase)) or phrase == query_tuple:
                score += PHRASE_BONUS * len(phrase)
                break
        scored.append((score, doc.pk))
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = scored[:limit]
    guides = Guide.objects.in_bulk([pk for _, pk in top])
    result = []
    for score, pk in top:
        guide = guides[pk]
        guide.score = round(score, 3)
        result.append(guide)
    return result
