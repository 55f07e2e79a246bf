"""The Splink model's declared comparisons match its settings (a stored model is reused only
when they agree)."""

from ddj.link import model


def test_comparison_names_are_the_settings_comparisons() -> None:
    settings = model.settings().get_settings("duckdb")
    assert sorted(c.output_column_name for c in settings.comparisons) == sorted(
        model.COMPARISON_NAMES
    )
