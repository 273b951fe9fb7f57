"""The shape of the house, read from the source (nothing is imported or run).

- no import circle between the add-on's modules (an import inside a function
  counts too: such imports are what held the old circles together; only one
  with a comment on its line, which says why it is there, is left out);
- no import of the add-on inside a function, unless a comment on that line
  says why;
- the booking's actions stay short, and no module grows past 450 lines
  (the settings schema in interfaces.py excepted).
"""

from pathlib import Path
import ast
import pytest


PACKAGE = "collective.digitalebalie"
ROOT = Path(__file__).parent.parent / "src" / "collective" / "digitalebalie"
MAX_LINES = 450
LONG_ALLOWED = {"interfaces.py"}  # the settings schema: one field after another
SHORT = {"appointments.py": 300, "booking/actions.py": 300}


def modules():
    """{dotted name: path} of the add-on's Python modules."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


MODULES = modules()


def _target(name, imported=None):
    """The add-on module an import reaches (a submodule if ``imported`` is one)."""
    if imported and f"{name}.{imported}" in MODULES:
        return f"{name}.{imported}"
    return name if name in MODULES else None


def _imports(node):
    """(line, module) of each add-on import directly in this node's body."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith(PACKAGE):
                yield node.lineno, _target(alias.name)
    elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
        for alias in node.names:
            yield node.lineno, _target(node.module, alias.name)


def module_level_imports(tree):
    """Imports that run when the module is imported (not those in functions)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield from _imports(node)
        stack.extend(ast.iter_child_nodes(node))


def function_imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                yield from _imports(inner)


def graph():
    edges = {}
    for name, path in MODULES.items():
        text = path.read_text()
        lines = text.splitlines()
        tree = ast.parse(text, str(path))
        inside = {
            (line, target)
            for line, target in function_imports(tree)
            if "#" not in lines[line - 1]
        }
        edges[name] = {
            target
            for _line, target in {*module_level_imports(tree), *inside}
            if target and target != name and target != PACKAGE
        }
    return edges


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_reader_sees_the_modules():
    assert f"{PACKAGE}.booking.actions" in MODULES
    edges = graph()
    assert f"{PACKAGE}.booking.store" in edges[f"{PACKAGE}.booking.actions"]


def test_no_import_circles():
    assert cycles(graph()) == []


def test_the_check_finds_a_circle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_no_imports_of_the_add_on_inside_functions():
    hidden = []
    for path in MODULES.values():
        text = path.read_text()
        lines = text.splitlines()
        for line, _target in function_imports(ast.parse(text, str(path))):
            if "#" not in lines[line - 1]:
                hidden.append(
                    f"{path.relative_to(ROOT)}:{line}: {lines[line - 1].strip()}"
                )
    assert hidden == [], "say why on the line, or import at module level"


@pytest.mark.parametrize("relative", sorted(SHORT))
def test_the_booking_actions_stay_short(relative):
    lines = len((ROOT / relative).read_text().splitlines())
    assert lines <= SHORT[relative], f"{relative}: {lines} lines"


def test_no_module_is_too_long():
    long = {
        str(path.relative_to(ROOT)): n
        for path in MODULES.values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
        and str(path.relative_to(ROOT)) not in LONG_ALLOWED
    }
    assert long == {}
