"""The package's shape, checked: stage sub-packages in layers, imports only downwards, no circle,
small modules with docstrings, and no module reaching into another's private names."""

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "pipeline"

# Lowest first.  A module may import modules of its own layer or of a lower one, never of a higher
# one.  The most specific prefix decides a module's layer.
LAYERS = [
    ["pipeline", "pipeline.errors", "pipeline.language", "pipeline.schemas", "pipeline.datafiles"],
    ["pipeline.reliability"],  # agreement coefficients: used by screening (reviewers) and by the notebooks
    ["pipeline.search"],
    ["pipeline.screening"],
    ["pipeline.coding"],
    ["pipeline.inputs"],  # reads every file and checks it with the stages' own rules
    ["pipeline.search.importing", "pipeline.screening.decisions", "pipeline.coding.importing",  # the commands
     "pipeline.screening.session", "pipeline.screening.exchange", "pipeline.screening.workspace"],
    ["pipeline.run"],
    ["pipeline.publish"],
    ["pipeline.cli", "pipeline.__main__"],
]
MAX_LINES = 600


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: dict) -> set[str]:
    """Pipeline modules that ``path`` imports, anywhere in it (function-level imports too)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else node.module
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def layer(name: str) -> int:
    best, rank = "", None
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > len(best):
                best, rank = prefix, i
    assert rank is not None, f"{name} is in no layer of tests/test_layout.py"
    return rank


def test_stage_sub_packages_exist_with_a_docstring_that_says_what_they_may_import():
    for stage in ("search", "screening", "coding", "reliability", "publish", "run"):
        init = PACKAGE / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"{init}: a docstring saying what it holds and what it may import"


def test_sub_package_inits_hold_only_their_docstring():
    """So that importing one module of a stage never loads the others (``inputs`` imports
    ``screening.log`` without ``screening.decisions``)."""
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE:
            continue
        body = ast.parse(init.read_text(encoding="utf-8")).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr), init


def test_imports_point_down_the_layers():
    known = modules()
    wrong = [f"{name} imports {target}" for name, path in known.items() for target in imports(name, path, known)
             if layer(target) > layer(name)]
    assert wrong == []


def test_no_import_circle_anywhere_in_the_package():
    known = modules()
    edges = {name: imports(name, path, known) for name, path in known.items()}
    state, circles = {}, []

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                circles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for name in sorted(known):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_modules_are_small_and_say_what_they_are():
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= MAX_LINES, f"{name}: {len(text.splitlines())} lines; split it by concern"
        assert ast.get_docstring(ast.parse(text)), f"{name}: a module docstring"


def test_no_module_imports_another_modules_private_names():
    known = modules()
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("pipeline")):
                private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"]
                assert not private, f"{name} imports {private} from {node.module}"


def test_every_public_function_and_class_has_a_docstring():
    missing = []
    for name, path in modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                if not ast.get_docstring(node):
                    missing.append(f"{name}.{node.name}")
    assert missing == []
