"""Cleaning identity fields for linkage: addresses as systems write them."""

import pytest

from ddj.link.normalise import split_address


@pytest.mark.parametrize(
    ("written", "street", "zip_code"),
    [
        # CAD extracts write the whole address as one string.
        ("6160 Hill Place, Riverton OR 97301", "6160 HILL PL", "97301"),
        ("455 N COMMERCIAL STREET, RIVERTON OR 97301-1234", "455 N COMMERCIAL ST", "97301"),
        ("4631 NE Ferry Ln Unit 2B", "4631 NE FERRY LN", None),
        ("12 Main St. Apt. 4", "12 MAIN ST", None),
        ("8281 FRANKLIN BLVD SPC 36", "8281 FRANKLIN BLVD", None),
        ("14 Laker Crescent", "14 LAKER CRES", None),
        ("Homeless", None, None),
        ("HOMELESS, RIVERTON OR 97301", None, "97301"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_split_address(written: str | None, street: str | None, zip_code: str | None) -> None:
    assert split_address(written) == (street, zip_code)
