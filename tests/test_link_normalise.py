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


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("900123456", "900123456"),
        # A 00 group was never issued, but it is a mistyped SSN or a shorter id padded with
        # zeros (FEBRL's 7-digit ids), not a placeholder: it is still evidence.
        ("002003210", "002003210"),
        ("123004567", "123004567"),
        ("000123456", None),  # area 000
        ("666123456", None),  # area 666
        ("123450000", None),  # the unknown last four filled with zeros
        ("999999999", None),  # a placeholder
        ("12345678x", None),  # an unknown digit
        (None, None),
    ],
)
def test_clean_ssn(written: str | None, kept: str | None) -> None:
    from ddj.link.normalise import clean_ssn

    assert clean_ssn(written) == kept
