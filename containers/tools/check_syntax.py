"""Parses every Python file under containers/ without importing it (the SageMaker images hold the heavy
dependencies: torch, diffusers, triton_python_backend_utils), so `lint` and `typecheck` catch syntax
errors on a machine with only the standard library, and write no __pycache__."""
import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    files = sorted(p for p in ROOT.rglob("*.py") if "node_modules" not in p.parts)
    for path in files:
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    print(f"{len(files)} Python files parse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
