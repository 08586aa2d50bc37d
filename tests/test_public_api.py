"""Every name in ``polecon.__all__`` resolves to the object of the module it is declared in."""

from importlib import import_module

import pytest

import polecon


@pytest.mark.parametrize("name", sorted(polecon._LAZY))
def test_lazy_export_is_the_module_object(name: str) -> None:
    module, attr = polecon._LAZY[name]
    assert getattr(polecon, name) is getattr(import_module(module), attr)
    assert name in polecon.__all__


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        polecon.no_such_name  # noqa: B018
