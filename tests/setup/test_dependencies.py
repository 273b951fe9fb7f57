"""Every third-party package the code imports is declared in pyproject.toml.

Reads each import in ``src/`` (and in ``tests/`` and ``bench/``) with ``ast``,
finds the installed distribution that provides the module, and compares it
with ``[project] dependencies`` (and the ``test`` extra for test code). A
package reached only through another one's requirements breaks the day that
one drops it.
"""

from functools import cache
from importlib.metadata import distribution
from importlib.metadata import distributions
from importlib.metadata import packages_distributions
from pathlib import Path
import ast
import re
import sys
import tomllib


ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "collective" / "digitalebalie"
ADDON = "collective.digitalebalie"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "project"
]
# Declared although no module imports them, and why.
NOT_IMPORTED = {
    # The distribution: the whole of Plone 6.2 and its versions.
    "plone",
    # Included in ZCML only: the classic UI and the content-type machinery.
    "plone-classicui",
    "plone-app-dexterity",
    # HTTP caching: its profile, and the ZCML directive for the add-on's rules.
    "plone-app-caching",
    "z3c-caching",
    # pas.plugins.oidc needs pkg_resources at run time and does not declare it.
    "setuptools",
    # The cluster (RelStorage on PostgreSQL) is configured in zope.conf.
    "relstorage",
    # Command-line tools the Makefile runs.
    "i18ndude",
    "ruff",
    "zpretty",
    "towncrier",
}


def normalise(name):
    """PEP 503: ``Products.CMFPlone`` and ``products-cmfplone`` are one name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement):
    return normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group())


def declared(*extras):
    names = {requirement_name(r) for r in PROJECT["dependencies"]}
    for extra in extras:
        names |= {requirement_name(r) for r in PROJECT["optional-dependencies"][extra]}
    return names


def imports(path):
    """The dotted names a module imports, absolute imports only.

    ``from plone import api`` gives ``plone.api``: the name after ``from`` may
    be a namespace that many distributions share.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if alias.name == "*":
                    yield node.module
                else:
                    yield f"{node.module}.{alias.name}"


@cache
def modules_of(dist_name):
    """The dotted module and package names a distribution installs."""
    names = set()
    for file in distribution(dist_name).files or ():
        parts = file.parts
        if not parts or parts[0] == ".." or ".dist-info" in parts[0]:
            continue
        last = parts[-1]
        if last.endswith(".py"):
            parts = (*parts[:-1], last[: -len(".py")])
        elif last.endswith((".so", ".pyd")):
            parts = (*parts[:-1], last.split(".")[0])
        else:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for end in range(1, len(parts) + 1):
            names.add(".".join(parts[:end]))
    return names


@cache
def top_level():
    return packages_distributions()


def provider(module):
    """The normalised name of the distribution that installs ``module``."""
    candidates = top_level().get(module.split(".")[0], [])
    if len(set(candidates)) == 1:
        return normalise(candidates[0])
    # A namespace (plone, zope, Products, collective): the longest dotted
    # prefix that one of the distributions installs as a module of its own.
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        prefix = ".".join(parts[:end])
        owners = {normalise(c) for c in candidates if prefix in modules_of(c)}
        if len(owners) == 1:
            return owners.pop()
    return None


def third_party(paths, local=()):
    """{distribution: [file that imports it, ...]}; unresolved names under None."""
    found = {}
    for path in paths:
        for module in imports(path):
            top = module.split(".")[0]
            if (
                top in sys.stdlib_module_names
                or module == ADDON
                or module.startswith(ADDON + ".")
                or top in local
            ):
                continue
            name = provider(module)
            found.setdefault(name, set()).add(f"{path.relative_to(ROOT)}: {module}")
    return found


def undeclared(found, allowed):
    return {
        name: sorted(where)[:3]
        for name, where in found.items()
        if name is None or name not in allowed
    }


def test_add_on_imports_are_declared():
    paths = [p for p in PACKAGE.rglob("*.py") if p.name != "testing.py"]
    assert undeclared(third_party(paths), declared()) == {}


def test_testing_layer_imports_are_declared_with_the_test_extra():
    found = third_party([PACKAGE / "testing.py"])
    assert undeclared(found, declared("test")) == {}


def test_test_and_bench_imports_are_declared_with_the_test_extra():
    paths = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    # The tests' own helpers (helpers.py, live.py, fake_*.py) import by name.
    local = {p.stem for p in paths}
    assert undeclared(third_party(paths, local), declared("test")) == {}


def test_every_declared_package_is_imported_or_has_a_reason():
    paths = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    paths += (ROOT / "bench").rglob("*.py")
    local = {p.stem for p in paths}
    used = set(third_party(paths, local))
    unused = declared("test") - used - NOT_IMPORTED
    assert unused == set(), "declared but never imported: add the reason above"
    assert declared("test") >= NOT_IMPORTED, "a reason for a package not declared"


def test_every_declared_package_is_installed():
    """A misspelt requirement would pass the checks above by never matching."""
    installed = {normalise(d.metadata["Name"]) for d in distributions()}
    missing = declared("test", "cluster") - installed
    assert missing == set()
