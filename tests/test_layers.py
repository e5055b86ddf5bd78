"""The layers (docs/architecture.md): every import in the project's Python, at module top or inside
a function, read with `ast`, against the arrows that are forbidden.

    codingahead/ (settings, urls, site-wide views)  may import anything
    casepilot/   jobs/                              feature apps: never each other
    codes/                                          never casepilot or jobs
    accounts/                                       no feature app
    codingahead/lib/                                no app, nothing else of codingahead/

Apps reach the project package only through codingahead.lib.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "codes", "casepilot", "jobs")
FEATURES = ("casepilot", "jobs")

# (importing package, imported package) -> why it is forbidden.
FORBIDDEN = {
    ("accounts", "codes"): "accounts imports no feature app",
    ("accounts", "casepilot"): "accounts imports no feature app",
    ("accounts", "jobs"): "accounts imports no feature app",
    ("codes", "casepilot"): "codes imports neither casepilot nor jobs",
    ("codes", "jobs"): "codes imports neither casepilot nor jobs",
    ("casepilot", "jobs"): "jobs and casepilot do not import each other",
    ("jobs", "casepilot"): "jobs and casepilot do not import each other",
    **{("codingahead.lib", app): "codingahead/lib imports no app" for app in APPS},
    ("codingahead.lib", "codingahead"): "codingahead/lib is below the project package",
    **{(app, "codingahead"): "apps reach the project package only through codingahead.lib" for app in APPS},
}

# Arrows that stand until a move in flight lands; each names the move.
PENDING = {
    # Favourites, notes and code views move from accounts into codes (issue 20 item 1, `meter`).
    ("accounts/personal.py", "codes"),
    ("accounts/views.py", "codes"),
    # queue_email moves into codingahead/lib with the one email-retry path (issue 20 item 7, `security`).
    ("jobs/alerts.py", "codingahead"),
    ("accounts/views.py", "codingahead"),  # the pricing page's Pro requests
}


def _package(module: str) -> str:
    """The layer a dotted module belongs to: "codingahead.lib", an app, "codingahead", or other."""
    if module == "codingahead.lib" or module.startswith("codingahead.lib."):
        return "codingahead.lib"
    return module.split(".")[0]


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            # `from codingahead import lib` names the package it imports from.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _sources() -> list[Path]:
    files = []
    for top in (*APPS, "codingahead"):
        files += sorted((ROOT / top).rglob("*.py"))
    return files


def _violations(files: list[Path], root: Path = ROOT) -> list[str]:
    found = []
    for path in files:
        source = _package(_module_name(path, root))
        relative = path.relative_to(root).as_posix()
        for line, module in _imports(path, root):
            target = _package(module)
            if target == source:
                continue
            reason = FORBIDDEN.get((source, target))
            if reason and (relative, target) not in PENDING:
                found.append(f"{relative}:{line} imports {module}: {reason}")
    return found


def test_no_module_imports_across_a_forbidden_arrow():
    assert _violations(_sources()) == []


def test_every_pending_arrow_still_exists():
    """A pending arrow whose move has landed is removed from PENDING, so it cannot come back."""
    used = set()
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        for _, module in _imports(path, ROOT):
            if (relative, _package(module)) in PENDING:
                used.add((relative, _package(module)))
    assert PENDING - used == set()


@pytest.mark.parametrize(
    ("relative", "text", "expected"),
    [
        ("codes/x.py", "def f():\n    from casepilot import guides\n", ["codes/x.py:2 imports casepilot.guides"]),
        ("accounts/x.py", "from jobs.models import Job\n", ["accounts/x.py:1 imports jobs.models.Job"]),
        ("codingahead/lib/x.py", "from .. import settings\n", ["codingahead/lib/x.py:1 imports codingahead.settings"]),
        ("codingahead/lib/x.py", "from . import ratelimits\n", []),
        ("jobs/x.py", "from codingahead.lib.ratelimits import too_many\n", []),
        ("casepilot/x.py", "import jobs\n", ["casepilot/x.py:1 imports jobs"]),
        ("codingahead/urls.py", "from jobs.sitemaps import OpenJobSitemap\n", []),
    ],
)
def test_it_names_the_file_and_line_of_a_forbidden_import(tmp_path, relative, text, expected):
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    assert [v.partition(": ")[0] for v in _violations([path], tmp_path)] == expected
