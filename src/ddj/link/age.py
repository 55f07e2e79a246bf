"""A stated age as evidence of identity when there is no date of birth.

EMS crews record the patient's age (NEMSIS ePatient.15, with its unit in ePatient.16, and a
pertinent negative "Approximate" when they estimated it) far more often than a date of birth.
An age at the date of the contact bounds the date of birth: 47 years on 2024-03-10 means born
between 1976-03-11 and 1977-03-10. The linker compares that range with the other record's date
of birth (or its own range).

The importer keeps the age in the event's details: ``patient_age`` (the number as written) and
``patient_age_units`` (the NEMSIS code or the word: years, months, days, hours, minutes).
"""

from __future__ import annotations

# NEMSIS 3.5 ePatient.16 codes, and the words, as the interval of one unit.
_UNITS = {
    "2516001": "day",  # days
    "2516003": "hour",
    "2516005": "minute",
    "2516007": "month",
    "2516009": "year",
    "days": "day",
    "day": "day",
    "hours": "hour",
    "hour": "hour",
    "minutes": "minute",
    "minute": "minute",
    "months": "month",
    "month": "month",
    "years": "year",
    "year": "year",
}


def _unit_case() -> str:
    whens = " ".join(f"WHEN '{code}' THEN '{unit}'" for code, unit in _UNITS.items())
    return f"CASE age_units {whens} END"


def age_ranges_sql(stated: str) -> str:
    """SQL for a table (record_key, age_dob_from, age_dob_to) from the table ``stated``
    (record_key, on_day, age_text, age_units: lower case): the dates of birth a record's first
    stated age allows. Hours and minutes mean born that day or the day before."""
    return f"""
        WITH stated AS (
            SELECT record_key, on_day, TRY_CAST(age_text AS INTEGER) AS age,
                   coalesce({_unit_case()}, 'year') AS unit
            FROM {stated}
        ), first_stated AS (
            SELECT record_key, min(on_day) AS on_day,
                   arg_min(age, on_day) AS age, arg_min(unit, on_day) AS unit
            FROM stated WHERE age BETWEEN 0 AND 120
            GROUP BY record_key
        )
        SELECT record_key,
               CAST(CASE unit
                   WHEN 'year' THEN on_day - to_years(age + 1) + INTERVAL 1 DAY
                   WHEN 'month' THEN on_day - to_months(age + 1) + INTERVAL 1 DAY
                   WHEN 'day' THEN on_day - to_days(age + 1)
                   ELSE on_day - INTERVAL 1 DAY END AS DATE) AS age_dob_from,
               CAST(CASE unit
                   WHEN 'year' THEN on_day - to_years(age)
                   WHEN 'month' THEN on_day - to_months(age)
                   WHEN 'day' THEN on_day - to_days(age)
                   ELSE on_day END AS DATE) AS age_dob_to
        FROM first_stated
    """
