"""The public API: exactly what __all__ lists, each documented."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import ledger

PUBLIC_MODULES = sorted(
    f"ledger.{info.name}"
    for info in pkgutil.iter_modules(ledger.__path__)
    if not info.name.startswith("_")
)


def test_all_is_sorted_and_exact() -> None:
    """ledger.__all__ is sorted and lists exactly the public names of the package."""
    assert ledger.__all__ == sorted(ledger.__all__)
    public = {
        name
        for name, value in vars(ledger).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(ledger.__all__)


def test_api_of_the_brief_is_importable() -> None:
    """The names PRODUCT.md promises import from ledger."""
    from ledger import Ledger, Status, read_reports  # noqa: F401


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_has_a_docstring(module_name: str) -> None:
    """Every public module, class, function and method has a docstring."""
    module = importlib.import_module(module_name)
    assert inspect.getdoc(module), module_name
    names = getattr(module, "__all__", None)
    assert names is not None, f"{module_name} has no __all__"
    for name in names:
        value = getattr(module, name)
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue  # constants and type aliases are documented in the module
        assert inspect.getdoc(value), f"{module_name}.{name}"
        if inspect.isclass(value):
            for attribute, member in vars(value).items():
                if attribute.startswith("_") or not callable(member):
                    continue
                assert inspect.getdoc(member), f"{module_name}.{name}.{attribute}"
