"""How each system writes dates, times, phones and addresses."""

from __future__ import annotations

import random
from datetime import date, datetime

from ddj.demo.places import COUNTY_SEAT, STATE, Address


def us_date(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def iso_date(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def us_minutes(value: datetime | None) -> str:
    return value.strftime("%m/%d/%Y %H:%M") if value else ""


def iso_seconds(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def phone(rng: random.Random, digits: str) -> str:
    """A ten-digit phone written the way front-desk staff type it."""
    if not digits:
        return ""
    pick = rng.random()
    if pick < 0.45:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if pick < 0.75:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    if pick < 0.95:
        return digits
    return f"{digits[3:6]}-{digits[6:]}"  # no area code


def address_fields(rng: random.Random, where: Address | str) -> tuple[str, str, str, str]:
    """(street, city, state, zip) for a record; a word like HOMELESS keeps the county seat."""
    if isinstance(where, Address):
        return where.street, where.city, where.state, where.zip
    if not where:
        return "", "", "", ""
    return where, COUNTY_SEAT if rng.random() < 0.6 else "", STATE, ""


def address_line(where: Address | str) -> str:
    return where.one_line() if isinstance(where, Address) else where
