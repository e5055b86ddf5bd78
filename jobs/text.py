"""Job descriptions: employer Markdown rendered to safe HTML."""

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Headings in a posting sit under the page's own h1/h2, so # and ## become h3.
HEADING_SHIFT = {"<h1>": "<h3>", "</h1>": "</h3>", "<h2>": "<h3>", "</h2>": "</h3>"}


def render_markdown(text: str) -> str:
    """Markdown to HTML with only harmless tags kept; links get rel="nofollow noopener ugc".

    Raw HTML in the Markdown is not trusted: nh3 (ammonia) drops scripts, event handlers,
    styles and javascript: URLs, and closes whatever broken Markdown leaves open.
    """
    html = markdown.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    for old, new in HEADING_SHIFT.items():
        html = html.replace(old, new)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
