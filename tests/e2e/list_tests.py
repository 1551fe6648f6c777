#!/usr/bin/env python3
"""Prints one line per test method in the given files: `module.Class.method<TAB>fixtures`, where
fixtures is the comma-separated value of the module's `FIXTURES = [...]` list (shared servers that
CTest starts once, tests/e2e/servers.py), possibly empty.

CMake calls it at configure time so that CTest counts and reports each end-to-end test on its own.
Parsing is static (ast), so listing never imports a test module or starts a server."""
import ast
import os
import sys

for path in sys.argv[1:]:
    module = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    fixtures = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "FIXTURES" for t in node.targets):
            fixtures = list(ast.literal_eval(node.value))
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test_"):
                    print(f"{module}.{node.name}.{item.name}\t{','.join(fixtures)}")
