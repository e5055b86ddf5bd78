"""Extra boxes on the search page from other apps (CasePilot lists its guides there).

One table, filled by each app in its `AppConfig.ready()`, so codes/ never imports the apps that
add to its page. A box is shown on the first page of results when its `find` returns anything.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchBox:
    find: Callable[[str], list]  # the query -> what the box lists; nothing, no box
    template: str  # a partial, rendered with `items` (what find returned) and `query`


SEARCH_BOXES: dict[str, SearchBox] = {}


def register(name: str, *, find: Callable[[str], list], template: str) -> None:
    SEARCH_BOXES[name] = SearchBox(find=find, template=template)


def boxes_for(query: str) -> list[dict]:
    """The boxes that have something for `query`, in the order they were registered."""
    boxes = []
    for box in SEARCH_BOXES.values():
        if items := box.find(query):
            boxes.append({"template": box.template, "items": items})
    return boxes
