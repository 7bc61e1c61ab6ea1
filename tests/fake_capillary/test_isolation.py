"""The fake stays a separate program: no imports from the console and none from Django."""

import ast
from pathlib import Path

import memberconsole.fake_capillary as fake

PACKAGE = Path(fake.__file__).parent


def test_fake_imports_nothing_from_the_console_or_django():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                inside = name == "memberconsole.fake_capillary" or name.startswith("memberconsole.fake_capillary.")
                if (name.startswith("memberconsole") and not inside) or name.split(".")[0] == "django":
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
