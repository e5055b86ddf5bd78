"""Every URL pattern of the site as a concrete path, and what each view reads from GET and POST,
for tests that must cover all of them (the rate-limit audit, HEAD, the fuzz tests).

What a view reads is found in its source, not listed by hand: `request.GET.get("q")`,
`request.POST["x"]`, a form built from `request.POST` or `request.GET` (its fields), the same in
the module's own helpers the view hands `request` to, and a class-based view's `form_class`.
"""

import ast
import inspect
import textwrap
from dataclasses import dataclass, field

from django import forms
from django.contrib.admindocs.views import extract_views_from_urlpatterns, simplify_regex
from django.urls import get_resolver

# Sample values for the URL parameters; the objects need not exist for every test.
SAMPLES = {
    "system": "icd-10-cm",
    "code": "E11.9",
    "index": "neoplasms",
    "section": "icd-10-cm",
    "slug": "sample",
    "token": "sample",
    "key": "sample",
    "uidb36": "1",
}


def _fill(pattern: str, values: dict[str, str]) -> str:
    path = pattern
    for part in path.split("<")[1:]:
        name = part.split(">")[0]
        short = name.split(":")[-1]
        value = "1" if short in {"pk", "token_id"} or name.startswith("int:") else SAMPLES.get(short, "sample")
        if short == "system" and "/modifiers/" in pattern:
            value = "hcpcs"  # the modifier pages exist for HCPCS only
        value = values.get(short, value)
        path = path.replace(f"<{name}>", str(value), 1)
    return path


def site_routes(values: dict[str, dict[str, str]] | None = None) -> list[tuple[str, str, object]]:
    """(path, URL name, view) for every pattern outside the admin. `values` maps a path prefix
    to parameter values to use under it ({"/jobs/": {"pk": 7}}: a job that exists)."""
    routes = []
    for view, regex, _namespace, name in extract_views_from_urlpatterns(get_resolver().url_patterns):
        pattern = simplify_regex(regex)
        if pattern.startswith("/admin/"):
            continue
        chosen = next((v for prefix, v in (values or {}).items() if pattern.startswith(prefix)), {})
        routes.append((_fill(pattern, chosen), name or "", view))
    return routes


# --- What a view reads -------------------------------------------------------------------------


@dataclass
class Reads:
    get: set[str] = field(default_factory=set)
    post: set[str] = field(default_factory=set)


def _unwrap(view):
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def _form_fields(form_class) -> set[str]:
    """The form's fields; allauth's forms add theirs in __init__ (login, email, passwords)."""
    for kwargs in ({}, {"request": None}):
        try:
            return set(form_class(**kwargs).fields)
        except Exception:
            continue
    return set(getattr(form_class, "base_fields", {}))


def _data_source(node: ast.AST) -> str | None:
    """ "GET" or "POST" when node is request.GET / request.POST (or `request.POST or None`)."""
    if isinstance(node, ast.BoolOp):
        return next((found for value in node.values if (found := _data_source(value))), None)
    if isinstance(node, ast.Attribute) and node.attr in {"GET", "POST"}:
        return node.attr
    return None


def _reads_of_function(function, reads: Reads, seen: set) -> None:
    if function in seen or not inspect.isfunction(function):
        return
    seen.add(function)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return
    scope = function.__globals__
    for node in ast.walk(tree):
        # request.GET.get("q"), request.POST.getlist("x"), request.GET["q"]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            source = _data_source(node.func.value)
            if source and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                getattr(reads, source.lower()).add(node.args[0].value)
        if isinstance(node, ast.Subscript):
            source = _data_source(node.value)
            if source and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                getattr(reads, source.lower()).add(node.slice.value)
        # "save_draft" in request.POST
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            source = next((_data_source(c) for c in node.comparators if _data_source(c)), None)
            if source:
                getattr(reads, source.lower()).add(node.left.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            target = scope.get(node.func.id)
            sources = {_data_source(arg) for arg in [*node.args, *(k.value for k in node.keywords)]} - {None}
            # SomeForm(request.POST, ...): every field of the form
            if inspect.isclass(target) and issubclass(target, forms.BaseForm):
                for source in sources:
                    getattr(reads, source.lower()).update(_form_fields(target))
            # A helper of the same module handed the request: what it reads counts too.
            elif inspect.isfunction(target) and any(
                isinstance(arg, ast.Name) and arg.id == "request" for arg in node.args
            ):
                _reads_of_function(target, reads, seen)


def view_reads(view) -> Reads:
    reads = Reads()
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        form_class = getattr(view_class, "form_class", None)
        if form_class is not None:
            reads.post.update(_form_fields(form_class))
        for method in ("get", "post", "get_form_kwargs", "form_valid", "get_context_data"):
            _reads_of_function(getattr(view_class, method, None), reads, set())
        return reads
    _reads_of_function(_unwrap(view), reads, set())
    return reads
