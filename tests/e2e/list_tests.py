#!/usr/bin/env python3
"""Prints one line per test method in the given files: `module.Class.method<TAB>fixtures`, where
fixtures is the comma-separated value of the module's `FIXTURES = [...]` list (shared servers that
CTest starts once, tests/e2e/servers.py), possibly empty.

A class also runs the test methods it inherits from classes of the same module, so one table of
scenarios can run against several backends (tests/e2e/test_leaks.py). A class without bases is a
mixin: its methods are listed only through the classes that inherit them.

CMake calls it at configure time so that CTest counts and reports each end-to-end test on its own.
Parsing is static (ast), so listing never imports a test module or starts a server."""
import ast
import os
import sys


def base_names(node):
    return [b.id for b in node.bases if isinstance(b, ast.Name)] + \
           [b.attr for b in node.bases if isinstance(b, ast.Attribute)]


def test_methods(cls, classes, seen=()):
    names = [i.name for i in cls.body if isinstance(i, ast.FunctionDef) and i.name.startswith("test_")]
    for base in base_names(cls):
        if base in classes and base not in seen:
            names += [n for n in test_methods(classes[base], classes, seen + (cls.name,)) if n not in names]
    return names


for path in sys.argv[1:]:
    module = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    fixtures = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "FIXTURES" for t in node.targets):
            fixtures = list(ast.literal_eval(node.value))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    for node in classes.values():
        if not node.bases:
            continue
        for name in test_methods(node, classes):
            print(f"{module}.{node.name}.{name}\t{','.join(fixtures)}")
