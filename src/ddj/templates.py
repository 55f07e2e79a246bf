"""The commented ddj.toml that `ddj init` writes."""

CONFIG_TEMPLATE = """\
# ddj workspace configuration. Every ddj command run in this folder (or with --workspace) reads it.
# Paths are relative to this file.

[workspace]
database = "ddj.duckdb"        # the DuckDB file that holds every stage's tables

# One [[sources]] per system export you receive. format = "table" reads CSV, XLSX or Parquet
# with a mapping profile: a built-in one (jail_bookings, jail_aliases, cad_calls, bh_clients,
# bh_services) or one you define below under [profiles.NAME]. A path may be a folder.
#
# [[sources]]
# name = "county_jail"
# system = "jail_booking"      # police_call, jail_booking, ems, ed, hospital, behavioral_health,
#                              # shelter, or your own
# format = "table"
# files = [
#   { path = "data/jail_bookings.csv", profile = "jail_bookings" },
#   { path = "data/jail_aliases.csv",  profile = "jail_aliases" },
# ]

# A mapping profile for an extract no built-in profile fits: canonical field = column name.
# kind is records (one row per person), events (one row per contact, with the person's id),
# records_and_events (each row has both) or aliases.
#
# [profiles.shelter_stays]
# system = "shelter"
# kind = "records_and_events"
# event = { type = "shelter_stay" }
# required = { fields = ["source_person_id", "event_id", "start_at"] }
# formats = { date = ["%Y-%m-%d"], datetime = ["%Y-%m-%d %H:%M:%S"] }
# [profiles.shelter_stays.columns]
# source_person_id = "PersonalID"
# event_id = "EnrollmentID"
# first_name = "FirstName"
# last_name = "LastName"
# dob = "DOB"
# ssn = "SSN"
# sex = "Gender"
# start_at = "EntryDate"
# end_at = "ExitDate"
# project_type = "ProjectType"

[link]
threshold = 0.97               # match probability at or above which two records are one person
seed = 42                      # makes training repeatable: the same data gives the same persons
max_pairs_for_training = 2e6   # random pairs used to estimate how often non-matches agree
max_pairs_for_em = 1e6         # blocked pairs (a sample) used to learn how often matches agree
engine = "duckdb"              # where linkage runs (DuckDB in memory; Spark to follow)
train_from_reviews = false     # true: also learn from reviewers' "link" decisions (20 or more)

# Cohort rules. Without any [[cohorts]] ddj uses four defaults:
#   fuse:             4+ jail bookings and 4+ shelter stays within 3 years
#   cross_system:     contacts in 3+ systems and 6+ contacts in the last 12 months
#   ed_mental_health: 3+ ED visits in 12 months and a mental-health diagnosis
#   top_cost:         the costliest 10% of people with contacts in the last 12 months
# Each condition counts events (min, optionally of event_types or systems) or distinct systems
# (min_systems) in the window_days before the "as of" date (default: the newest event's day),
# or the evidence of a need (need = "mental_illness", optional window_days and min).
#
# [[cohorts]]
# name = "ed_high_users"
# description = "3+ ED visits in 12 months and a substance-use diagnosis"
# combine = "all"              # all (and) | any (or)
#   [[cohorts.conditions]]
#   event_types = ["ed_visit"]
#   min = 3
#   window_days = 365
#   [[cohorts.conditions]]
#   need = "substance_use"
#   [cohorts.cost]             # optional: rank by cost, keep top_percent, top or min_cost
#   window_days = 365
#   top_percent = 10
#
# What a contact costs (the built-in figures are placeholders; these replace them all):
# [cost_weights]
# jail_booking = { per_event = 300, per_day = 120 }   # per_day: each night of a stay
# ed_visit = { per_event = 1800 }                     # a recorded cost (a claim) wins
#
# Needs flagged per person with their evidence (ICD-10-CM codes, call types, shelter stays,
# HMIS living situation, addresses). To change the code lists or add your shelters' addresses:
#   ddj identify --print-needs > needs.toml
# [identify]
# needs = "needs.toml"
"""
