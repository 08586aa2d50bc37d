"""Architecture rules of ``src/polecon``: no import cycles, and data flows one way.

The import graph is read with :mod:`ast` (nothing is imported), counting module-level AND
function-level imports.  ``from polecon.x import y`` is an edge to ``polecon.x.y`` when that is
a module, else to ``polecon.x``; a relative import is resolved against the importing module.
The implicit import of a parent package (``polecon.x`` runs before ``polecon.x.y``) is not an
edge: it would make every package ``__init__`` that re-exports its submodules a cycle.

Layers (data flows one way; a module imports only from its own layer or layers before it):

0. ``base``: ``polecon._paths``, ``_io``, ``_progress``, ``_display``, ``_manifest``, ``registry``
   (paths, atomic writes, progress and display helpers, the raw-file registry);
1. ``countries``: the country crosswalk, blocs and state system (reads raw files);
2. ``sources``: one parser per raw source -> canonical tables (uses the crosswalk);
3. ``panel``: dyad-year and unilateral panels built from the canonical tables;
4. ``models``: estimation engines (GLM, gravity, survival, adoption spells);
5. ``adoption``: the public adoption-model API (``polecon.adoption``) over the models;
6. ``hypotheses``: the pre-registered tests run on the panel with the models;
7. ``reports``: tables, figures and reports of the results;
8. ``cli``: the command line (``polecon ...``) and ``polecon.__main__``.

``polecon/__init__.py`` (the package facade, lazily exposing every layer) is outside the rule,
and no module of the package may import from it (only from submodules).  Imports by name string
(``importlib.import_module``: ``TABLE_MODULES``, the replicate stages, hypothesis tasks) are not
read; those named today stay inside their layer or point down.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "polecon"

#: top-level part of the package -> layer number (lower layers come first)
LAYERS: dict[str, int] = {
    "_paths": 0,
    "_io": 0,
    "_progress": 0,
    "_display": 0,
    "_manifest": 0,
    "registry": 0,
    "countries": 1,
    "sources": 2,
    "panel": 3,
    "models": 4,
    "adoption": 5,
    "hypotheses": 6,
    "reports": 7,
    "cli": 8,
    "__main__": 8,
}

LAYER_NAMES = (
    "base",
    "countries",
    "sources",
    "panel",
    "models",
    "adoption",
    "hypotheses",
    "reports",
    "cli",
)

#: modules outside the layer rule (neither their imports nor imports of them are checked)
UNLAYERED = {"polecon"}

#: (importer, imported) -> one-line reason why this import against the layer order is allowed.
#: Empty: no module imports from a later layer (checked when this test was written).  Add an
#: entry only with a reason; a stale entry (the import is gone) fails the test.
LAYER_EXCEPTIONS: dict[tuple[str, str], str] = {}


# --------------------------------------------------------------------------------------------
# the import graph
# --------------------------------------------------------------------------------------------


def module_files(src: Path = SRC, package: str = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of ``package`` under ``src``."""
    out: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: Iterable[str]) -> str | None:
    """The longest prefix of dotted ``name`` that is a known module (None outside the package)."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str, path: Path, modules: set[str]) -> set[str]:
    """Package modules that ``module`` imports anywhere in its file (any nesting level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name, modules)
                if target:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            for alias in node.names:
                sub = f"{stem}.{alias.name}"
                target = sub if sub in modules else _resolve(stem, modules)
                if target:
                    found.add(target)
    found.discard(module)
    return found


def import_graph(src: Path = SRC, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package modules it imports (module-level and function-level)."""
    files = module_files(src, package)
    names = set(files)
    return {m: imports_of(m, p, names) for m, p in files.items()}


def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (or a self-loop), sorted.

    Tarjan's algorithm, iterative (no recursion limit on deep graphs).
    """
    succ = {v: sorted(set(ws)) for v, ws in graph.items()}
    for ws in list(succ.values()):
        for w in ws:
            succ.setdefault(w, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(succ):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            if i < len(succ[v]):
                work.append((v, i + 1))
                w = succ[v][i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in succ[v]:
                    components.append(sorted(comp))
    return sorted(components)


def layer_of(module: str) -> int | None:
    """Layer number of a package module (None for modules outside the rule)."""
    if module in UNLAYERED:
        return None
    top = module.split(".")[1]
    return LAYERS[top]


def layer_violations(graph: Mapping[str, Iterable[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where a module imports from a later layer."""
    bad = []
    for src, targets in sorted(graph.items()):
        a = layer_of(src)
        for dst in sorted(targets):
            b = layer_of(dst)
            if a is not None and b is not None and b > a:
                bad.append((src, dst))
    return bad


def cycle_path(graph: Mapping[str, Iterable[str]], members: Iterable[str]) -> list[str]:
    """One concrete cycle through the first of ``members`` (a strongly connected component)."""
    inside = set(members)
    start = min(inside)
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph.get(v, ())):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [start, *reversed(path[:-1]), start] if v != start else [start, start]
                if w in inside and w not in parent:
                    parent[w] = v
                    nxt.append(w)
        frontier = nxt
    return sorted(inside)


# --------------------------------------------------------------------------------------------
# the rules, on the real package
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_graph_reads_module_and_function_level_imports(graph):
    assert len(graph) > 100
    # module level: blocs maps EU member codes with the crosswalk
    assert "polecon.countries.crosswalk" in graph["polecon.countries.blocs"]
    # function level: canonical_codes imports polecon.countries inside the function
    assert "polecon.countries" in graph["polecon.sources._common"]
    # ``from polecon.sources.agreements import desta`` names a module: the edge is to it
    assert "polecon.sources.agreements.desta" in graph["polecon.sources.agreements.build"]


def test_no_import_cycles(graph):
    cycles = find_cycles(graph)
    assert not cycles, "import cycles (module-level and function-level imports):\n" + "\n".join(
        f"- {len(c)} modules {c}; e.g. {' -> '.join(cycle_path(graph, c))}" for c in cycles
    )


def test_every_part_of_the_package_has_a_layer(graph):
    assert sorted(set(LAYERS.values())) == list(range(len(LAYER_NAMES)))
    parts = {m.split(".")[1] for m in graph if m not in UNLAYERED}
    assert parts == set(LAYERS), (
        f"parts without a layer: {sorted(parts - set(LAYERS))}; "
        f"layers naming no module: {sorted(set(LAYERS) - parts)}"
    )


def test_data_flows_one_way_through_the_layers(graph):
    bad = [v for v in layer_violations(graph) if v not in LAYER_EXCEPTIONS]
    assert not bad, "imports from a later layer:\n" + "\n".join(
        f"- {a} ({LAYER_NAMES[layer_of(a)]}) imports {b} ({LAYER_NAMES[layer_of(b)]})"
        for a, b in bad
    )


def test_layer_exceptions_are_real_and_explained(graph):
    for (a, b), reason in LAYER_EXCEPTIONS.items():
        assert b in graph.get(a, set()), f"stale exception: {a} no longer imports {b}"
        assert (a, b) in layer_violations(graph), f"{a} -> {b} breaks no layer: remove it"
        assert reason.strip() and "\n" not in reason


def test_no_module_imports_the_package_facade(graph):
    users = sorted(m for m, targets in graph.items() if "polecon" in targets)
    assert not users, f"import from polecon.<submodule>, not the lazy facade: {users}"


# --------------------------------------------------------------------------------------------
# the checker itself, on made-up graphs and a made-up package
# --------------------------------------------------------------------------------------------


def test_find_cycles_on_a_made_up_graph():
    acyclic = {"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a"}}
    assert find_cycles(acyclic) == []
    cyclic = {
        "a": {"b"},
        "b": {"c", "x"},
        "c": {"a"},  # a -> b -> c -> a
        "d": {"e"},
        "e": {"d", "f"},  # d <-> e
        "f": {"f"},  # self-loop
        "x": {"y"},
        "y": set(),
        "z": {"a", "d"},  # reaches both cycles, is in neither
    }
    assert find_cycles(cyclic) == [["a", "b", "c"], ["d", "e"], ["f"]]
    assert cycle_path(cyclic, ["a", "b", "c"]) == ["a", "b", "c", "a"]
    assert cycle_path(cyclic, ["f"]) == ["f", "f"]


def test_find_cycles_on_a_long_chain_without_recursion():
    n = 5000
    chain = {f"m{i}": {f"m{i + 1}"} for i in range(n)}
    assert find_cycles(chain) == []
    chain[f"m{n}"] = {"m0"}
    assert [len(c) for c in find_cycles(chain)] == [n + 1]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/low.py": "import os\n",
            "pkg/sub/__init__.py": "from pkg.sub.leaf import VALUE\n",
            "pkg/sub/leaf.py": "VALUE = 1\n",
            "pkg/a.py": (
                "from pkg import low\n"  # a module: edge to pkg.low
                "from pkg.sub import VALUE\n"  # a name: edge to the package pkg.sub
                "from . import b\n"  # relative: edge to pkg.b
            ),
            "pkg/b.py": "def f():\n    from .sub.leaf import VALUE\n    import pkg.low\n",
        },
    )
    g = import_graph(tmp_path, "pkg")
    assert g["pkg.a"] == {"pkg.low", "pkg.sub", "pkg.b"}
    assert g["pkg.b"] == {"pkg.sub.leaf", "pkg.low"}
    assert g["pkg.sub"] == {"pkg.sub.leaf"}
    assert find_cycles(g) == []

    # someone adds an import inside a function of pkg.low: the cycle is found
    (tmp_path / "pkg/low.py").write_text("def g():\n    from pkg.a import b\n    return b\n")
    g = import_graph(tmp_path, "pkg")
    assert find_cycles(g) == [["pkg.a", "pkg.b", "pkg.low"]]
    assert cycle_path(g, ["pkg.a", "pkg.b", "pkg.low"])[0] == "pkg.a"
