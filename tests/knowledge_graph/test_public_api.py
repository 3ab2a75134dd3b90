"""knowledge_graph's public API (``__init__`` and ``knowledge_graph.answers``): what bot/ and actions/ import.

Every exported name must resolve, ``__all__`` must list exactly the exports, and importing the package
must not load the modules behind the names nobody asked for (the seed, transfer and answer code).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import knowledge_graph
import knowledge_graph.answers

PACKAGES = [knowledge_graph, knowledge_graph.answers]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_every_exported_name_resolves_and_all_lists_exactly_the_exports(package) -> None:
    exports = package._EXPORTS
    assert sorted(package.__all__) == sorted(exports)
    for name, (module, attribute) in exports.items():
        value = getattr(package, name)
        assert value is getattr(sys.modules[module], attribute), name
        assert name in dir(package)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_an_unknown_name_is_an_attribute_error(package) -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = package.no_such_name


def test_importing_one_name_does_not_load_the_rest() -> None:
    """In a fresh interpreter, ``from knowledge_graph import KnowledgeGraphError`` loads the errors only."""
    probe = (
        "import sys\n"
        "from knowledge_graph import KnowledgeGraphError\n"
        "print(sorted(m for m in sys.modules if m.startswith('knowledge_graph')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    for heavy in (
        "knowledge_graph.seed",
        "knowledge_graph.transfer",
        "knowledge_graph.answers",
        "knowledge_graph.store",
    ):
        assert f"'{heavy}" not in loaded, loaded
    assert "'knowledge_graph.errors'" in loaded
