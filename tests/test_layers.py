"""The import floors of docs/architecture.md, checked by reading every module's imports.

Like Home Assistant's hassfest: each folder has one job and a short list of what it may import, and this
test reads the imports of every module with ``ast`` (top-level, lazy and ``TYPE_CHECKING`` imports alike,
since each is a dependency) and names every import that crosses a floor the wrong way. It also refuses
modules that import each other at run time, which late imports used to hide.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OURS = ("bot", "nlu", "knowledge_graph", "connectors", "actions", "vision", "ops", "bench", "tests")
CHECKED = ("bot", "nlu", "knowledge_graph", "connectors", "actions", "vision")

SETTINGS = "connectors.settings"
NLU_TEXT = "nlu.text"
# The ground every floor may stand on: the settings loader and the task helpers (stdlib only).
GROUND = (SETTINGS, "connectors.tasks")
# Every aiohttp surface, and the streamer content the report page shows.
HTTP = ("bot.http", "bot.web", "bot.admin", "bot.content")

# floor (module prefix, longest match wins) -> the liveroom modules it may import (prefixes).
ALLOWED: dict[str, tuple[str, ...]] = {
    SETTINGS: (),
    "connectors.tasks": (),
    "connectors": ("connectors",),
    "nlu": (),
    NLU_TEXT: (NLU_TEXT, *GROUND),
    "nlu.rasa": ("nlu.rasa", NLU_TEXT, *GROUND),
    "knowledge_graph": ("knowledge_graph", NLU_TEXT, *GROUND),
    "vision": ("vision", SETTINGS),
    "actions": ("actions", "knowledge_graph", NLU_TEXT, *GROUND),
    "bot.core": ("bot.core", "connectors.base", NLU_TEXT, *GROUND),
    "bot.outbound": ("bot.outbound", "bot.core", "connectors"),
    "bot.adapters": ("bot.adapters", "bot.core", "knowledge_graph", NLU_TEXT, "connectors.base", *GROUND),
    **{
        surface: (
            *HTTP,
            "bot.services",
            "bot.core",
            "bot.metrics",
            "knowledge_graph",
            NLU_TEXT,
            "connectors.base",
            # the local stand-in platform: its page and sample chat log are served inside the web layout
            "connectors.simulator",
            *GROUND,
            "vision.schema",
        )
        for surface in HTTP
    },
    "bot": ("bot", "connectors", "knowledge_graph", NLU_TEXT, "vision.schema"),
}

# Third-party libraries a layer must not reach, whatever its liveroom imports.
FORBIDDEN_LIBRARIES: dict[str, tuple[str, ...]] = {
    "bot.core": ("aiohttp.web", "prometheus_client", "falkordb", "neo4j", "redis"),
    "nlu.text": ("rasa", "rasa_sdk"),
    "knowledge_graph": ("rasa", "rasa_sdk", "aiohttp.web", "prometheus_client"),
    "connectors": ("prometheus_client",),
}


def _modules(folder: str) -> list[Path]:
    return sorted(p for p in (REPO / folder).rglob("*.py") if "node_modules" not in p.parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every imported module name (absolute, with the imported names as sub-modules where they may be)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from pkg import module" depends on the module, "from module import name" on the module.
            submodules = [
                f"{target}.{alias.name}" for alias in node.names if _exists(f"{target}.{alias.name}")
            ]
            found += [(node.lineno, sub) for sub in submodules]
            if len(submodules) < len(node.names):
                found.append((node.lineno, target))
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _layer(module: str, table: dict[str, tuple[str, ...]]) -> str | None:
    matches = [prefix for prefix in table if _within(module, prefix)]
    return max(matches, key=len) if matches else None


def _exists(module: str) -> bool:
    path = REPO / module.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _violations() -> list[str]:
    found = []
    for folder in CHECKED:
        for path in _modules(folder):
            module = _module_name(path)
            layer = _layer(module, ALLOWED)
            if layer is None:
                found.append(f"{module}: in no floor of ALLOWED")
                continue
            for line, target in _imports(path):
                where = f"{path.relative_to(REPO)}:{line}"
                if target.split(".")[0] in OURS:
                    if not _exists(target):
                        continue  # a name imported from a module, checked through the module itself
                    if not any(_within(target, allowed) for allowed in ALLOWED[layer]):
                        found.append(f"{where}: {layer} may not import {target}")
                for library in FORBIDDEN_LIBRARIES.get(_layer(module, FORBIDDEN_LIBRARIES) or "", ()):
                    if _within(target, library):
                        found.append(f"{where}: {layer} may not use {library}")
    return found


def test_every_import_respects_its_floor() -> None:
    violations = _violations()
    assert not violations, "imports that cross a floor the wrong way:\n" + "\n".join(violations)


def test_nothing_imports_the_action_server_or_ops() -> None:
    """actions/ runs in its own process and ops/ is the roof: only tests and bench may import them."""
    found = []
    for folder in CHECKED:
        for path in _modules(folder):
            module = _module_name(path)
            for line, target in _imports(path):
                for roof in ("actions", "ops"):
                    if _within(target, roof) and not _within(module, roof):
                        found.append(f"{path.relative_to(REPO)}:{line} imports {target}")
    assert not found, "\n".join(found)


def test_vision_is_reached_only_through_its_report_schema() -> None:
    found = []
    for folder in CHECKED:
        for path in _modules(folder):
            if _within(_module_name(path), "vision"):
                continue
            for line, target in _imports(path):
                if _within(target, "vision") and _exists(target) and not _within(target, "vision.schema"):
                    found.append(f"{path.relative_to(REPO)}:{line} imports {target}")
    assert not found, "\n".join(found)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks: annotations only, never run."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"
        ):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _import_cycles() -> list[list[str]]:
    """Groups of modules that import each other at run time (lazy imports included), by Tarjan's algorithm."""
    paths = {_module_name(path): path for folder in CHECKED for path in _modules(folder)}
    edges: dict[str, set[str]] = {}
    for module, path in paths.items():
        skip = _type_checking_lines(ast.parse(path.read_text(encoding="utf-8")))
        edges[module] = {t for line, t in _imports(path) if t in paths and t != module and line not in skip}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(paths):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycles() -> None:
    """Modules that import each other have no order in which they can be read (or loaded); late imports
    inside functions used to hide such circles, so they count here too."""
    cycles = _import_cycles()
    assert not cycles, "modules that import each other:\n" + "\n".join(" <-> ".join(c) for c in cycles)


@pytest.mark.parametrize("folder", CHECKED)
def test_the_checker_reads_every_folder(folder: str) -> None:
    """Guards the guard: a folder whose modules cannot be read would pass every rule above."""
    modules = _modules(folder)
    assert modules
    assert any(_imports(path) for path in modules)
