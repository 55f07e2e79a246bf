"""A stored model is reused only when it compares records as this code's model does."""

import copy

from ddj.link import model


def test_the_settings_have_the_current_signature() -> None:
    settings = model.settings().get_settings("duckdb").as_dict()
    names = [name for name, _levels in model.signature(settings)]
    assert "address" in names and "first_name" in names
    assert model.signature(settings) == model.current_signature()


def test_a_model_with_other_levels_has_another_signature() -> None:
    settings = model.settings().get_settings("duckdb").as_dict()
    older = copy.deepcopy(settings)
    address = next(c for c in older["comparisons"] if c["output_column_name"] == "address")
    address["comparison_levels"] = address["comparison_levels"][:2] + [
        address["comparison_levels"][-1]
    ]
    assert model.signature(older) != model.current_signature()
