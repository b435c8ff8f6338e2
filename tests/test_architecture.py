"""The architecture holds: imports run one way through the layers, with no cycle.

Layers, top to bottom (an import may only point to its own layer or any layer below):
cli -> commands -> call pipeline -> config -> auth modes -> providers (aws, cognito)
-> leaves. Every import counts, at the top of a module or inside a function; only
imports under `if TYPE_CHECKING:` (annotations, never run) are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "restcli"

# Module (or package prefix) -> layer; lower numbers are higher up.
LAYERS = {
    "restcli.__main__": 0,
    "restcli.cli": 0,
    "restcli.commands": 1,
    "restcli.app": 2,
    "restcli.call": 2,
    "restcli.settings": 2,
    "restcli.request": 2,  # and items, forms
    "restcli.client": 2,
    "restcli.output": 2,  # and filters, writeout, download, hints, curl, wire
    "restcli.paginate": 2,
    "restcli.runner": 2,
    "restcli.config": 3,
    "restcli.auth": 4,
    "restcli.aws": 5,
    "restcli.cognito": 5,
    "restcli": 6,  # the package itself: __version__ only
    "restcli.http": 6,
    "restcli.params": 6,
    "restcli.secrets": 6,
    "restcli.errors": 6,
    "restcli.record": 6,
    "restcli.atomic": 6,
    "restcli.locations": 6,
    "restcli.deadline": 6,
    "restcli.hosts": 6,
}
NAMES = {0: "cli", 1: "commands", 2: "call pipeline", 3: "config", 4: "auth", 5: "providers",
         6: "leaves"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> int | None:
    candidates = [k for k in LAYERS if module == k or module.startswith(k + ".")]
    return LAYERS[max(candidates, key=len)] if candidates else None


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    return skipped


def _registry_targets(node: ast.AST, module: str, modules: set[str]) -> list[str]:
    """`importlib.import_module(f"{__name__}.x")` (the auth mode registry) imports the
    package's modules by name at run time: edges to every one of them."""
    if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
        if node.args and "{__name__}." in ast.unparse(node.args[0]):
            return [m for m in modules if m.startswith(module + ".")]
    return []


def _resolve(name: str, modules: set[str]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """module -> the restcli modules it imports (run-time imports only)."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                targets = [f"{prefix}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets + _registry_targets(node, module, modules):
                if target.split(".")[0] != "restcli":
                    continue
                resolved = _resolve(target, modules)
                if resolved and resolved != module:
                    graph[module].add(resolved)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph between restcli's subpackages (auth, aws, cognito, cli, ...)."""
    def package(m: str) -> str:
        parts = m.split(".")
        return ".".join(parts[:2]) if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else m

    result: dict[str, set[str]] = {}
    for src, targets in graph.items():
        for dst in targets:
            a, b = package(src), package(dst)
            result.setdefault(a, set())
            if a != b:
                result[a].add(b)
            result.setdefault(b, set())
    return result


def test_every_module_is_in_a_layer():
    missing = sorted(m for m in import_graph() if layer(m) is None)
    assert not missing, f"add these modules to LAYERS in {__file__}: {missing}"


def test_imports_point_down_the_layers():
    upward = []
    for src, targets in sorted(import_graph().items()):
        for dst in sorted(targets):
            a, b = layer(src), layer(dst)
            if a is not None and b is not None and b < a:
                upward.append(f"{src} ({NAMES[a]}) imports {dst} ({NAMES[b]})")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_no_import_cycle_between_modules_or_packages():
    graph = import_graph()
    assert _cycles(graph) == []
    assert _cycles(_packages(graph)) == []


def test_providers_never_import_the_auth_modes():
    offenders = [
        (src, dst) for src, targets in import_graph().items() for dst in targets
        if src.startswith(("restcli.aws", "restcli.cognito")) and dst.startswith("restcli.auth")
    ]
    assert offenders == []


def test_the_graph_sees_the_mode_registry():
    assert "restcli.auth.iam" in import_graph()["restcli.auth"]


def test_the_graph_sees_in_function_imports():
    # A check that could pass with the graph broken is worth nothing: __main__ imports the
    # call pipeline only inside a function.
    assert "restcli.call" in import_graph()["restcli.__main__"]


def test_cli_package_init_imports_nothing():
    tree = ast.parse((PACKAGE / "cli" / "__init__.py").read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def test_no_module_writes_to_the_standard_streams_directly():
    allowed = {"restcli.app"}  # the application object owns them
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if module_name(path) in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if "sys.stdout" in code or "sys.stderr" in code or "sys.stdin" in code or (
                code.strip().startswith("print(") or "typer.echo(" in code
            ):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def _unexplained_lazy_imports(path: Path) -> list[int]:
    """Lines of imports inside functions with no "start-up" comment saying why.

    The comment may stand on the import's own lines or on the comment lines directly above
    it; a block of consecutive imports (blank lines between sections allowed) shares the
    comment above its first import.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    skipped = _type_checking_nodes(tree)
    found: dict[int, ast.stmt] = {}
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skipped:
                found[node.lineno] = node

    def explained(node: ast.stmt) -> bool:
        start = node.lineno - 1
        if any("start-up" in line for line in lines[start:node.end_lineno]):
            return True
        # Walk up through comment lines and the imports of the same block.
        row = start - 1
        while row >= 0:
            text = lines[row].strip()
            if not text:
                row -= 1
                continue
            if text.startswith("#"):
                if "start-up" in text:
                    return True
                row -= 1
                continue
            above = next((n for n in found.values() if n.end_lineno == row + 1), None)
            if above is None:
                return False
            if any("start-up" in line for line in lines[above.lineno - 1:above.end_lineno]):
                return True
            row = above.lineno - 2
        return False

    return sorted(number for number, node in found.items() if not explained(node))


def test_lazy_imports_say_why():
    # Imports go at the top of the module unless start-up needs them lazy; then a short
    # comment containing "start-up" says so.
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        offenders += [f"{relative}:{n}: {lines[n - 1].strip()}"
                      for n in _unexplained_lazy_imports(path)]
    assert not offenders, "\n".join(offenders)


def test_lazy_import_check_sees_a_bare_import(tmp_path):
    # The check above must be able to fail: a bare in-function import is reported, an
    # explained block (comment above, or on the line) is not.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def bare():\n"
        "    import json\n"
        "\n"
        "def explained():\n"
        "    # rich only on a terminal (start-up)\n"
        "    from rich.table import (\n"
        "        Table,\n"
        "    )\n"
        "    import rich.console\n"
        "\n"
        "    import tomlkit  # tomlkit only to edit (start-up)\n"
        "    x = 1\n"
        "\n"
        "    import difflib\n",
        encoding="utf-8",
    )
    assert _unexplained_lazy_imports(sample) == [2, 14]
