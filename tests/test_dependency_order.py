"""The dependency order of docs/design.md: a package imports only packages of its own layer or of layers below.

Every ``cuts3d`` import of every module counts, also those inside functions (the lazy ones).
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    {'structures', 'version'},
    {'utils', 'weights'},
    {'registry'},
    {'features', 'depth', 'cutting', 'pseudo'},
    {'visualization'},
    {'datasets', 'models', 'evaluation', 'engine'},
    {'engstler', 'u2seg', 'unscene3d'},
    {'cli_config', 'cli', '__main__'},
]
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}


def imported_packages(path: Path) -> set[str]:
    """The top-level cuts3d packages a module imports (absolute or relative), anywhere in the file."""
    package_parts = path.relative_to(ROOT).with_suffix('').parts[:-1]  # ('cuts3d', 'cutting', ...)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[:len(package_parts) - node.level + 1]
                module = '.'.join(base + tuple(filter(None, [node.module])))
                names = [module] if node.module else [f'{module}.{alias.name}' for alias in node.names]
            else:
                names = [node.module]
        else:
            continue
        found |= {name.split('.')[1] for name in names if name.startswith('cuts3d.')}
    return found


def test_every_package_has_a_layer():
    packages = {path.stem if path.is_file() else path.name for path in (ROOT / 'cuts3d').iterdir()
                if path.name != '__init__.py' and path.name != '__pycache__'}
    assert packages == set(RANK)


def test_no_package_imports_one_above_its_layer():
    violations = set()
    for path in (ROOT / 'cuts3d').rglob('*.py'):
        parts = path.relative_to(ROOT / 'cuts3d').with_suffix('').parts
        if parts == ('__init__',):
            continue
        importer = parts[0]
        for imported in imported_packages(path):
            if RANK[imported] > RANK[importer]:
                violations.add((importer, imported))
    assert not violations, sorted(violations)
