"""The installed environment serves the workbench: JupyterLab loads every extension (so the MyST
exercises and admonitions render in `make lab` and on Binder), and the package imports fast."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def test_jupyterlab_extensions_are_compatible_and_myst_is_enabled():
    proc = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], capture_output=True,
                          text=True, timeout=120)
    text = proc.stdout + proc.stderr
    assert "jupyterlab-myst" in text, text
    assert "not compatible" not in text, text
    myst = next(line for line in text.splitlines() if "jupyterlab-myst" in line)
    assert "enabled" in myst and "OK" in myst, myst


def test_utils_imports_without_tensorflow_quickly():
    code = ("import sys, time; t = time.perf_counter(); import utils.landscape, utils.plotting; "
            "print(time.perf_counter() - t); print('tensorflow' in sys.modules)")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60).stdout.split()
    assert out[1] == "False", "utils must not import TensorFlow for chapters 1-3"
    assert float(out[0]) < 5.0 and time.perf_counter() - start < 20


DOCUMENTED = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "utils").glob("*.py")
                    if not p.stem.startswith("_"))
"""Every public module: each public function has numpydoc Parameters (if it takes any) and
Returns.  (``_validation`` is private: one-line docstrings.)"""


@pytest.mark.parametrize("module", DOCUMENTED)
def test_public_functions_document_parameters_and_returns(module):
    import ast
    import inspect

    path = Path(__file__).resolve().parents[1] / "utils" / f"{module}.py"
    tree = ast.parse(path.read_text())
    public = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__"
                                                for t in node.targets):
            public = {e.value for e in node.value.elts}
    missing = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and (
                public is None or node.name in public):
            doc = inspect.cleandoc(ast.get_docstring(node) or "")
            takes = [a for a in node.args.args + node.args.kwonlyargs] or node.args.vararg
            if (takes and "Parameters\n---" not in doc) or "Returns\n---" not in doc:
                missing.append(node.name)
    assert not missing, f"utils/{module}.py: no Parameters/Returns in {missing}"
