"""Code sets of the canonical model: systems, event types, and the fields a profile can map."""

from __future__ import annotations

# The systems a source can belong to. A user may name another in ddj.toml.
SYSTEMS: dict[str, str] = {
    "police_call": "Police calls for service (CAD)",
    "jail_booking": "Jail bookings",
    "ems": "EMS runs",
    "ed": "Emergency department",
    "hospital": "Hospital inpatient",
    "behavioral_health": "Behavioral-health services",
    "shelter": "Homeless shelters and outreach (HMIS)",
}

# Event types every importer writes; cohort rules count them.
EVENT_TYPES: dict[str, str] = {
    "police_call": "A call for service involving the person",
    "jail_booking": "A booking into jail (start = booking, end = release)",
    "ems_run": "An EMS response with patient contact",
    "ed_visit": "An emergency-department visit",
    "hospital_admission": "An inpatient admission",
    "bh_service": "A behavioral-health service or encounter",
    "bh_crisis": "A behavioral-health crisis service (mobile crisis, crisis center)",
    "bh_residential": "A residential behavioral-health stay",
    "bh_detox": "A withdrawal-management (detox) stay",
    "shelter_stay": "An emergency-shelter or transitional-housing stay (or one bed night)",
    "shelter_enrollment": "A night-by-night shelter enrollment (its nights are shelter_stay)",
    "housing_enrollment": "A permanent-supportive, rapid re-housing or other housing enrollment",
    "homeless_service": "Services-only, prevention or coordinated-entry enrollment",
    "outpatient_visit": "An outpatient or ambulatory encounter",
    "outreach_contact": "A street-outreach contact",
}

# Fields of a person's identity as one source knows it (source_record).
PERSON_FIELDS = (
    "source_person_id",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "sex",
    "ssn",
    "address",
    "city",
    "state",
    "zip",
    "phone",
)


ALIAS_FIELDS = ("alias_first_name", "alias_last_name", "alias_dob")


SEX_CODES = ("F", "M", "X", "U")

# The typed columns of source_record and event that importers fill (beside keys and labels).
RECORD_COLUMNS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "sex",
    "ssn",
    "ssn_last4",
    "address",
    "city",
    "state",
    "zip",
    "phone",
)
EVENT_COLUMNS = (
    "event_type",
    "start_at",
    "end_at",
    "location",
    "charges",
    "diagnosis_codes",
    "call_type",
    "disposition",
    "project_type",
    "cost",
)

# Fields of one contact with a system (event) that a mapping profile can map.
EVENT_FIELDS = (
    "event_id",
    *EVENT_COLUMNS,
    "part2",
    "incident_number",  # the 911/CAD incident number; ties an EMS run to the police call
)
