"""Extra boxes on every code page from other apps (CasePilot's "Have a question about ... code ...?").

One table, filled by each app in its `AppConfig.ready()`, so codes/ never imports the apps that add
to its pages. A box is a partial rendered after the page's (cached) body, with the code and the
request's CSRF token: it must not depend on anything else about the visitor.
"""

CODE_PAGE_BOXES: dict[str, str] = {}  # name -> template


def register(name: str, *, template: str) -> None:
    CODE_PAGE_BOXES[name] = template
