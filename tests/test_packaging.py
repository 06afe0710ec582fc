"""pyproject.toml packages what the code needs: every package under signpost/ and actions/,
and every file beside the code that is not Python (templates, static files...), so a
wheel of the project runs like the checkout."""

from __future__ import annotations

import tomli

from signpost.config import ROOT


def setuptools_config() -> dict:
    return tomli.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_the_packages_are_found_by_pattern_not_listed():
    assert set(setuptools_config()["packages"]["find"]["include"]) == {"signpost*", "actions*"}


def test_every_file_beside_the_code_is_package_data():
    data = setuptools_config()["package-data"]
    carried = {
        path
        for package, patterns in data.items()
        for pattern in patterns
        for path in (ROOT / package.replace(".", "/")).glob(pattern)
        if path.is_file()
    }
    beside_the_code = {
        path
        for top in ("signpost", "actions")
        for path in (ROOT / top).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    missing = sorted(str(path.relative_to(ROOT)) for path in beside_the_code - carried)
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"
    assert any(path.name == "widget.js" for path in carried)
