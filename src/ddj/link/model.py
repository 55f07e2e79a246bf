"""The Splink model: comparisons and blocking rules over the prepared linkage input.

Columns of the input (see prepare.py): unique_id, first_name, last_name, first_variants,
first_phonetic, last_phonetic, dob, sex, ssn, ssn_last4, zip, city, address, phone, incidents,
full_names, and (derived as the input is read) street_key, address_compact, house_number,
street, first_initial, last_initial, dob_digits, age_dob_from, age_dob_to.
"""

from __future__ import annotations

from functools import lru_cache

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on


def first_name_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True),
            cll.CustomLevel(
                "list_has_any(first_variants_l, first_variants_r)",
                label_for_charts="Nickname or name variant",
            ),
            cll.JaroWinklerLevel("first_name", 0.92),
            cll.CustomLevel("first_phonetic_l = first_phonetic_r", label_for_charts="Sounds alike"),
            cll.JaroWinklerLevel("first_name", 0.80),
            cll.CustomLevel(SWAPPED, label_for_charts="First and last names swapped"),
            cll.CustomLevel(SWAPPED_NEARLY, label_for_charts="Names swapped, spelt a little apart"),
            cll.CustomLevel(MOVED, label_for_charts="One's first name is the other's last name"),
            cll.ElseLevel(),
        ],
    )


# First and last names written the other way round (exactly, or with a typo in either), or one
# of them written in the other field; weighed in first_name and neutral in last_name.
SWAPPED = "first_name_l = last_name_r AND last_name_l = first_name_r"
# The cheap comparison of first letters (derived once per record in prepare.py) comes first, so
# that the similarities are computed only for the few pairs that pass it.
SWAPPED_NEARLY = (
    "first_initial_l = last_initial_r AND last_initial_l = first_initial_r "
    "AND jaro_winkler_similarity(first_name_l, last_name_r) >= 0.88 "
    "AND jaro_winkler_similarity(last_name_l, first_name_r) >= 0.88"
)


def one_digit_apart(column: str) -> str:
    """SQL: two values of one length (9-digit SSNs, 5-digit ZIPs: the importers and prepare.py
    make them so) that differ in one digit or by two neighbouring digits swapped, which is what
    Damerau-Levenshtein <= 1 means for them. Comparing position by position is much cheaper than
    the edit distance (0.3 s against 9 s for 4 million pairs of SSNs): one changed digit is one
    mismatch and a swap two, so only pairs with exactly two mismatches need the edit distance.
    Written as one condition so DuckDB tests its parts in order, each on the pairs still open."""
    left, right = f"{column}_l", f"{column}_r"
    return (
        f"length({left}) = length({right}) AND (hamming({left}, {right}) <= 1 "
        f"OR (hamming({left}, {right}) = 2 AND damerau_levenshtein({left}, {right}) <= 1))"
    )


MOVED = "first_name_l = last_name_r OR last_name_l = first_name_r"


def _neutral(level: cll.CustomLevel) -> cll.CustomLevel:
    return level.configure(
        m_probability=0.01, u_probability=0.01, fix_m_probability=True, fix_u_probability=True
    )


def last_name_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="last_name",
        comparison_levels=[
            cll.NullLevel("last_name"),
            cll.ExactMatchLevel("last_name", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("last_name", 0.92),
            cll.CustomLevel("last_phonetic_l = last_phonetic_r", label_for_charts="Sounds alike"),
            cll.CustomLevel(
                # Only a name with a space has parts; without one, two different names share none.
                "(contains(last_name_l, ' ') OR contains(last_name_r, ' ')) "
                "AND list_has_any(string_split(last_name_l, ' '), string_split(last_name_r, ' '))",
                label_for_charts="Shares a part of a compound surname",
            ),
            cll.JaroWinklerLevel("last_name", 0.80),
            # A swap is weighed once, in first_name; here it is neutral (m = u), so that a
            # swapped pair is not counted as evidence twice.
            _neutral(
                cll.CustomLevel(
                    f"{MOVED} OR ({SWAPPED_NEARLY})",
                    label_for_charts="Names swapped or moved (weighed in first_name)",
                )
            ),
            cll.ElseLevel(),
        ],
    )


def dob_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) "
                "AND day(dob_l) = month(dob_r)",
                label_for_charts="Day and month swapped",
            ),
            cll.CustomLevel(
                # dob_digits: YYYYMMDD (prepare.py), 8 characters each, so one substitution.
                "hamming(dob_digits_l, dob_digits_r) <= 1",
                label_for_charts="One digit different",
            ),
            cll.CustomLevel(
                "month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r) "
                "AND abs(year(dob_l) - year(dob_r)) <= 1",
                label_for_charts="Year off by one",
            ),
            cll.AbsoluteDateDifferenceLevel(
                "dob", input_is_string=False, threshold=1, metric="year"
            ),
            cll.ElseLevel(),
        ],
    )


def ssn_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="ssn",
        comparison_levels=[
            cll.CustomLevel(
                "(ssn_l IS NULL OR ssn_r IS NULL) AND (ssn_last4_l IS NULL OR ssn_last4_r IS NULL)",
                label_for_charts="SSN missing",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("ssn"),
            cll.CustomLevel(
                one_digit_apart("ssn"), label_for_charts="One digit different or two swapped"
            ),
            cll.ExactMatchLevel("ssn_last4"),
            cll.ElseLevel(),
        ],
    )


def alias_comparison() -> cl.CustomComparison:
    """A name one record goes by (an alias given at booking, an earlier spelling) is the other's
    name, with the same date of birth: people give relatives' and made-up names as aliases, so a
    shared alias alone is no evidence. Weighed only when the two primary names differ, so
    agreement is not counted twice."""
    return cl.CustomComparison(
        output_column_name="alias",
        comparison_levels=[
            cll.CustomLevel(
                "full_names_l IS NULL OR full_names_r IS NULL OR "
                "(first_name_l = first_name_r AND last_name_l = last_name_r)",
                label_for_charts="No alias to compare, or the names already agree",
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "dob_l = dob_r AND list_has_any(full_names_l, full_names_r)",
                label_for_charts="Goes by the other's name (alias), same date of birth",
            ),
            cll.ElseLevel(),
        ],
    )


def zip_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="zip",
        comparison_levels=[
            cll.NullLevel("zip"),
            cll.ExactMatchLevel("zip"),
            cll.CustomLevel(
                f"left(zip_l, 3) = left(zip_r, 3) AND ({one_digit_apart('zip')})",
                label_for_charts="One digit different or two swapped",
            ),
            cll.ElseLevel(),
        ],
    )


def city_comparison() -> cl.CustomComparison:
    """The city (suburb, town). Term frequencies weigh it: where most records share a few
    cities (a county) it is weak evidence; among many suburbs it is strong."""
    return cl.CustomComparison(
        output_column_name="city",
        comparison_levels=[
            cll.NullLevel("city"),
            cll.ExactMatchLevel("city", term_frequency_adjustments=True),
            cll.ElseLevel(),
        ],
    )


def address_comparison() -> cl.CustomComparison:
    """The street address (cleaned in prepare.py: one spelling, no unit, the street of an address
    written as one string; its compact form, house number and street derived as it is read).
    Term frequencies make a shelter's address, shared by hundreds, weak evidence."""
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("address"),
            cll.ExactMatchLevel("address", term_frequency_adjustments=True),
            cll.CustomLevel(
                "house_number_l = house_number_r "
                "AND jaro_winkler_similarity(address_compact_l, address_compact_r) >= 0.92",
                label_for_charts="Spelt a little apart",
            ),
            cll.ExactMatchLevel("street_key").configure(
                label_for_charts="Same house number and street name"
            ),
            cll.CustomLevel(
                "left(street_l, 2) = left(street_r, 2) "
                "AND jaro_winkler_similarity(street_l, street_r) >= 0.92",
                label_for_charts="Same street, another house number",
            ),
            cll.ElseLevel(),
        ],
    )


_FITS = (
    "(dob_l BETWEEN age_dob_from_r - {slack} AND age_dob_to_r + {slack}) "
    "OR (dob_r BETWEEN age_dob_from_l - {slack} AND age_dob_to_l + {slack}) "
    "OR (age_dob_from_l - {slack} <= age_dob_to_r AND age_dob_from_r - {slack} <= age_dob_to_l)"
)


def age_comparison() -> cl.CustomComparison:
    """A stated age (EMS) against the other's date of birth or stated age (see age.py): the
    date of birth fits the age, fits it give or take 5 years (crews estimate ages), or not."""
    return cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.CustomLevel(
                "NOT ((dob_l IS NOT NULL AND age_dob_from_r IS NOT NULL) "
                "OR (dob_r IS NOT NULL AND age_dob_from_l IS NOT NULL) "
                "OR (age_dob_from_l IS NOT NULL AND age_dob_from_r IS NOT NULL))",
                label_for_charts="No stated age to compare",
            ).configure(is_null_level=True),
            cll.CustomLevel(
                _FITS.format(slack="INTERVAL 0 DAY"),
                label_for_charts="Date of birth fits the stated age",
            ),
            cll.CustomLevel(
                _FITS.format(slack="INTERVAL 5 YEAR"),
                label_for_charts="Fits the stated age give or take 5 years",
            ),
            cll.ElseLevel(),
        ],
    )


def incident_comparison() -> cl.CustomComparison:
    """An EMS run and a police call of the same 911 incident (two people at one call are
    usually both police contacts, so only records of different systems count)."""
    return cl.CustomComparison(
        output_column_name="incident",
        comparison_levels=[
            cll.CustomLevel(
                "incidents_l IS NULL OR incidents_r IS NULL OR system_l = system_r",
                label_for_charts="No incident to compare",
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "list_has_any(incidents_l, incidents_r)",
                label_for_charts="Same 911 incident, different systems",
            ),
            cll.ElseLevel(),
        ],
    )


def signature(model_dict: dict) -> tuple:
    """What a model compares: each comparison's name and the SQL of its levels. A stored model
    whose signature differs from this code's was trained on other comparisons: it is retrained,
    not reused."""
    return tuple(
        (
            c.get("output_column_name"),
            tuple(level.get("sql_condition") for level in c.get("comparison_levels", [])),
        )
        for c in model_dict.get("comparisons", [])
    )


@lru_cache(maxsize=1)
def current_signature() -> tuple:
    return signature(settings().get_settings("duckdb").as_dict())


def settings(
    probability_two_random_records_match: float = 1e-5, unique_id: str = "unique_id"
) -> SettingsCreator:
    """The model. Training reads the records by their keys (``record_key``: which records its
    samples take depends on the key, as it always has); scoring by integer ids (run.py)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=unique_id,
        probability_two_random_records_match=probability_two_random_records_match,
        comparisons=[
            first_name_comparison(),
            last_name_comparison(),
            dob_comparison(),
            ssn_comparison(),
            cl.ExactMatch("sex"),
            zip_comparison(),
            city_comparison(),
            address_comparison(),
            cl.ExactMatch("phone"),
            incident_comparison(),
            alias_comparison(),
            age_comparison(),
        ],
        blocking_rules_to_generate_predictions=prediction_blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def prediction_blocking_rules() -> list:
    return [
        block_on("first_name", "last_name"),
        block_on("last_name", "dob"),
        block_on("first_name", "dob"),
        block_on("ssn"),
        block_on("first_phonetic", "last_phonetic"),
        block_on("dob", "last_phonetic"),
        block_on("dob", "first_phonetic"),
        "l.first_name = r.last_name AND l.last_name = r.first_name",
        "l.dob = r.dob AND l.first_phonetic = r.last_phonetic",
        block_on("first_name", "street_key"),
        "l.last_name = r.last_name AND substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1) "
        "AND jaro_winkler_similarity(l.first_name, r.first_name) >= 0.8",
        block_on("last_name", "first_variants", arrays_to_explode=["first_variants"]),
        block_on("phone"),
        block_on("incidents", arrays_to_explode=["incidents"]),
        block_on("dob", "zip"),
        block_on("full_names", "dob", arrays_to_explode=["full_names"]),
        block_on("dob", "ssn_last4"),
        # An SSN mistyped in its last four digits, for records whose names or date of birth
        # carry typos too (no other rule brings them together): at the same house, or with the
        # same first name in the same ZIP. Not the first name with the five digits alone: where
        # SSNs were issued by state and year (before 2011), those digits are a birth state and
        # era that most of a county shares, and the rule would pair every JOHN of a generation.
        block_on("street_key", "substr(ssn, 1, 5)"),
        block_on("first_name", "zip", "substr(ssn, 1, 5)"),
    ]


def blocking_rules_sql() -> list[tuple[str, tuple[str, ...]]]:
    """The prediction blocking rules as SQL, each with the array columns it unnests."""
    out = []
    for rule in prediction_blocking_rules():
        if isinstance(rule, str):
            out.append((rule, ()))
        else:
            br = rule.get_blocking_rule("duckdb")
            out.append((br.blocking_rule_sql, tuple(getattr(br, "array_columns_to_explode", ()))))
    return out


def deterministic_rules() -> list:
    """Rules that admit almost no false matches, for estimating the share of matching pairs."""
    return [
        "l.ssn = r.ssn AND l.dob = r.dob",
        "l.first_name = r.first_name AND l.last_name = r.last_name AND l.dob = r.dob",
    ]


def training_blocking_rules() -> list:
    """EM sessions: each blocks on fields the other leaves free to be estimated."""
    # Not first+last name: among people sharing a common name, EM takes many strangers for
    # matches and learns that a different date of birth is no evidence against a match.
    return [
        block_on("dob"),
        block_on("ssn"),
    ]
