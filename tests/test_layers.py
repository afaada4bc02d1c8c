"""The package's shape, read from the code: storage at the bottom, no import circles.

Every `import` counts, including ones inside functions (they hide cycles rather than remove
them); only imports under `if TYPE_CHECKING:` are left out, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "distill"

# Lower layers never import higher ones. Within a layer, imports may go either way as long
# as they make no circle.
LAYERS = {
    "errors": 0,
    "models": 0,
    "config": 1,
    "text": 1,
    "jsonl": 1,
    "limits": 1,
    "controls": 1,
    "lifeline": 1,
    "store": 2,
    "taxonomy": 2,
    "embed": 2,
    "minilm": 2,
    "plugins": 3,
    "ingest": 3,
    "summarize": 3,
    "classify": 3,
    "search": 3,
    "llm": 3,
    "feeds": 3,
    "library": 3,
    "jobs": 3,
    "worker": 4,
    "web": 5,
    "cli": 5,
    "__main__": 6,
}
# What storage may import: it is the seam a second engine implements, so it must not
# depend on how articles are classified, summarised or searched.
STORE_MAY_IMPORT = {"distill.errors", "distill.models"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_lines(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", 0) in skip:
                continue
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                for alias in node.names:
                    full = f"{module}.{alias.name}"
                    targets.add(full if full in files else module)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else 6  # distill/__init__ sits on top


def test_every_module_has_a_layer() -> None:
    missing = {m.split(".")[1] for m in import_graph() if m != "distill"} - set(LAYERS)
    assert not missing, f"give these a layer in LAYERS: {sorted(missing)}"


def test_no_import_goes_up_a_layer() -> None:
    upward = [
        f"{source} -> {target}"
        for source, targets in import_graph().items()
        for target in targets
        if layer(target) > layer(source)
    ]
    assert not upward, "imports into a higher layer:\n" + "\n".join(sorted(upward))


def test_storage_imports_only_models_and_errors() -> None:
    leaks = [
        f"{source} -> {target}"
        for source, targets in import_graph().items()
        if source.startswith("distill.store")
        for target in targets
        if not target.startswith("distill.store") and target not in STORE_MAY_IMPORT
    ]
    assert not leaks, "store/ must stay at the bottom:\n" + "\n".join(sorted(leaks))


def test_no_import_circles() -> None:
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    assert not circles, "import circles: " + "; ".join(" <-> ".join(c) for c in circles)
