"""NEMSIS v3.5 code values the EMS importer translates, and the elements the v3.5 XSD requires
in the sections it reads (the same in v3.5.0 and v3.5.1). Taken from the NEMSIS XSDs
(EMSDataSet_v3.xsd and commonTypes_v3.xsd, v3.5.1.250403CP1)."""

from __future__ import annotations

NEMSIS_NS = "http://www.nemsis.org"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

PATIENT_CONTACT_MADE = "4227001"  # eDisposition.27
APPROXIMATE = "8801029"  # PN value that keeps the value (e.g. a date/time that is approximate)

# ePatient.25 Sex (v3.5.1) and ePatient.13 Gender (v3.5.0, deprecated in v3.5.1) -> canonical sex.
SEX: dict[str, str] = {"9919001": "F", "9919003": "M", "9919005": "U"}
GENDER: dict[str, str] = {
    "9906001": "F",
    "9906003": "M",
    "9906005": "U",
    "9906007": "X",  # Female-to-Male, Transgender Male
    "9906009": "X",  # Male-to-Female, Transgender Female
    "9906011": "X",  # Other, neither exclusively male or female
}

# "Not values" (NV) and pertinent negatives (PN): a nil element with one of these is not recorded.
NOT_VALUES: dict[str, str] = {
    "7701001": "Not Applicable",
    "7701003": "Not Recorded",
    "7701005": "Not Reporting",
}
PERTINENT_NEGATIVES: dict[str, str] = {
    "8801001": "Contraindication Noted",
    "8801003": "Denied By Order",
    "8801005": "Exam Finding Not Present",
    "8801007": "Medication Allergy",
    "8801009": "Medication Already Taken",
    "8801013": "No Known Drug Allergy",
    "8801015": "None Reported",
    "8801017": "Not Performed by EMS",
    "8801019": "Refused",
    "8801021": "Unresponsive",
    "8801023": "Unable to Complete",
    "8801025": "Not Immunized",
    "8801027": "Order Criteria Not Met",
    "8801029": "Approximate",
    "8801031": "Symptom Not Present",
}

# ePatient.08 / eScene.18 are ANSI (FIPS) state codes -> USPS abbreviations.
STATES: dict[str, str] = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
}  # fmt: skip

# eDispatch.01 Dispatch Reason -> call_type
DISPATCH_REASON: dict[str, str] = {
    "2301001": "Abdominal Pain/Problems",
    "2301003": "Allergic Reaction/Stings",
    "2301005": "Animal Bite",
    "2301007": "Assault",
    "2301009": "Automated Crash Notification",
    "2301011": "Back Pain (Non-Traumatic)",
    "2301013": "Breathing Problem",
    "2301015": "Burns/Explosion",
    "2301017": "Carbon Monoxide/Hazmat/Inhalation/CBRN",
    "2301019": "Cardiac Arrest/Death",
    "2301021": "Chest Pain (Non-Traumatic)",
    "2301023": "Choking",
    "2301025": "Convulsions/Seizure",
    "2301027": "Diabetic Problem",
    "2301029": "Electrocution/Lightning",
    "2301031": "Eye Problem/Injury",
    "2301033": "Falls",
    "2301035": "Fire",
    "2301037": "Headache",
    "2301039": "Healthcare Professional/Admission",
    "2301041": "Heart Problems/AICD",
    "2301043": "Heat/Cold Exposure",
    "2301045": "Hemorrhage/Laceration",
    "2301047": "Industrial Accident/Inaccessible Incident/Other Entrapments (Non-Vehicle)",
    "2301049": "Medical Alarm",
    "2301051": "No Other Appropriate Choice",
    "2301053": "Overdose/Poisoning/Ingestion",
    "2301055": "Pandemic/Epidemic/Outbreak",
    "2301057": "Pregnancy/Childbirth/Miscarriage",
    "2301059": "Psychiatric Problem/Abnormal Behavior/Suicide Attempt",
    "2301061": "Sick Person",
    "2301063": "Stab/Gunshot Wound/Penetrating Trauma",
    "2301065": "Standby",
    "2301067": "Stroke/CVA",
    "2301069": "Traffic/Transportation Incident",
    "2301071": "Transfer/Interfacility/Palliative Care",
    "2301073": "Traumatic Injury",
    "2301075": "Well Person Check",
    "2301077": "Unconscious/Fainting/Near-Fainting",
    "2301079": "Unknown Problem/Person Down",
    "2301081": "Drowning/Diving/SCUBA Accident",
    "2301083": "Airmedical Transport",
    "2301085": "Altered Mental Status",
    "2301087": "Intercept",
    "2301089": "Nausea",
    "2301091": "Vomiting",
    "2301093": "Hanging/Strangulation/Asphyxiation",
    "2301095": "Intoxicated Subject",
    "2301097": "EMS Requested by Law Enforcement",
    "2301099": "Active Shooter",
}

# eResponse.05 Type of Service Requested
SERVICE_TYPE: dict[str, str] = {
    "2205001": "Emergency Response (Primary Response Area)",
    "2205003": "Emergency Response (Intercept)",
    "2205009": "Emergency Response (Mutual Aid)",
    "2205005": "Hospital-to-Hospital Transfer",
    "2205015": "Hospital to Non-Hospital Facility Transfer",
    "2205017": "Non-Hospital Facility to Non-Hospital Facility Transfer",
    "2205019": "Non-Hospital Facility to Hospital Transfer",
    "2205007": "Other Routine Medical Transport",
    "2205011": "Public Assistance",
    "2205013": "Standby",
    "2205021": "Support Services",
    "2205023": "Non-Patient Care Rescue/Extrication",
    "2205025": "Crew Transport Only",
    "2205027": "Transport of Organs or Body Parts",
    "2205029": "Mortuary Services",
    "2205031": "Mobile Integrated Health Care Encounter",
    "2205033": "Evaluation for Special Referral/Intake Programs",
    "2205035": "Administrative Operations",
}

# eDisposition.27 Unit Disposition
UNIT_DISPOSITION: dict[str, str] = {
    "4227001": "Patient Contact Made",
    "4227003": "Cancelled on Scene",
    "4227005": "Cancelled Prior to Arrival at Scene",
    "4227007": "No Patient Contact",
    "4227009": "No Patient Found",
    "4227011": "Non-Patient Incident (Not Otherwise Listed)",
}

# eDisposition.28 Patient Evaluation/Care
PATIENT_EVALUATION_CARE: dict[str, str] = {
    "4228001": "Patient Evaluated and Care Provided",
    "4228003": "Patient Evaluated and Refused Care",
    "4228005": "Patient Evaluated, No Care Required",
    "4228007": "Patient Refused Evaluation/Care",
    "4228009": "Patient Support Services Provided",
}

# eDisposition.29 Crew Disposition
CREW_DISPOSITION: dict[str, str] = {
    "4229001": "Initiated and Continued Primary Care",
    "4229003": "Initiated Primary Care and Transferred to Another EMS Crew",
    "4229005": "Provided Care Supporting Primary EMS Crew",
    "4229007": "Assumed Primary Care from Another EMS Crew",
    "4229009": "Incident Support Services Provided (Including Standby)",
    "4229011": "Back in Service, No Care/Support Services Required",
    "4229013": "Back in Service, Care/Support Services Refused",
}

# eDisposition.30 Transport Disposition -> disposition
TRANSPORT_DISPOSITION: dict[str, str] = {
    "4230001": "Transport by This EMS Unit (This Crew Only)",
    "4230003": "Transport by This EMS Unit, with a Member of Another Crew",
    "4230005": "Transport by Another EMS Unit/Agency",
    "4230007": "Transport by Another EMS Unit/Agency, with a Member of This Crew",
    "4230009": "Patient Refused Transport",
    "4230011": "Non-Patient Transport (Not Otherwise Listed)",
    "4230013": "No Transport",
}

# eDisposition.31 Reason for Refusal/Release
REFUSAL_REASON: dict[str, str] = {
    "4231001": "Against Medical Advice",
    "4231003": "Patient/Guardian Indicates Ambulance Transport is Not Necessary",
    "4231005": "Released Following Protocol Guidelines",
    "4231007": "Released to Law Enforcement",
    "4231009": "Patient/Guardian States Intent to Transport by Other Means",
    "4231011": "DNR",
    "4231013": "Medical/Physician Orders for Life Sustaining Treatment",
    "4231015": "Other, Not Listed",
    "4231017": "Patient Elopement",
}

# eDisposition.21 Type of Destination
DESTINATION_TYPE: dict[str, str] = {
    "4221001": "Home",
    "4221003": "Hospital-Emergency Department",
    "4221005": "Hospital-Non-Emergency Department Bed",
    "4221007": "Clinic",
    "4221009": "Morgue/Mortuary",
    "4221013": "Other",
    "4221015": "Other EMS Responder (air)",
    "4221017": "Other EMS Responder (ground)",
    "4221019": "Police/Jail",
    "4221021": "Urgent Care",
    "4221023": "Freestanding Emergency Department",
    "4221025": "Dialysis Center",
    "4221027": "Diagnostic Services",
    "4221029": "Assisted Living Facility",
    "4221031": "Mental Health Facility",
    "4221033": "Nursing Home",
    "4221035": "Other Recurring Care Center",
    "4221037": "Physical Rehabilitation Facility",
    "4221039": "Drug and/or Alcohol Rehabilitation Facility",
    "4221041": "Skilled Nursing Facility",
}

# Elements the v3.5 XSD requires (minOccurs 1; nillable ones may be sent empty with NV), by
# section. A PCR missing one fails schema validation.
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "eRecord": (
        ("eRecord.01", "Patient Care Report Number"),
        ("eRecord.02", "Software Creator"),
        ("eRecord.03", "Software Name"),
        ("eRecord.04", "Software Version"),
    ),
    "eResponse": (
        ("eResponse.01", "EMS Agency Number"),
        ("eResponse.03", "Incident Number"),
        ("eResponse.04", "EMS Response Number"),
        ("eResponse.05", "Type of Service Requested"),
        ("eResponse.07", "Unit Transport and Equipment Capability"),
        ("eResponse.08", "Type of Dispatch Delay"),
        ("eResponse.09", "Type of Response Delay"),
        ("eResponse.10", "Type of Scene Delay"),
        ("eResponse.11", "Type of Transport Delay"),
        ("eResponse.12", "Type of Turn-Around Delay"),
        ("eResponse.13", "EMS Vehicle (Unit) Number"),
        ("eResponse.14", "EMS Unit Call Sign"),
        ("eResponse.23", "Response Mode to Scene"),
        ("eResponse.24", "Additional Response Mode Descriptors"),
    ),
    "eDispatch": (
        ("eDispatch.01", "Dispatch Reason"),
        ("eDispatch.02", "EMD Performed"),
    ),
    "eTimes": (
        ("eTimes.01", "PSAP Call Date/Time"),
        ("eTimes.03", "Unit Notified by Dispatch Date/Time"),
        ("eTimes.05", "Unit En Route Date/Time"),
        ("eTimes.06", "Unit Arrived on Scene Date/Time"),
        ("eTimes.07", "Arrived at Patient Date/Time"),
        ("eTimes.09", "Unit Left Scene Date/Time"),
        ("eTimes.11", "Patient Arrived at Destination Date/Time"),
        ("eTimes.12", "Destination Patient Transfer of Care Date/Time"),
        ("eTimes.13", "Unit Back in Service Date/Time"),
    ),
    "ePatient": (
        ("ePatient.07", "Patient's Home County"),
        ("ePatient.08", "Patient's Home State"),
        ("ePatient.09", "Patient's Home ZIP Code"),
        ("ePatient.14", "Race"),
        ("ePatient.15", "Age"),
        ("ePatient.16", "Age Units"),
    ),
    "eScene": (
        ("eScene.01", "First EMS Unit on Scene"),
        ("eScene.06", "Number of Patients at Scene"),
        ("eScene.07", "Mass Casualty Incident"),
        ("eScene.08", "Triage Classification for MCI Patient"),
        ("eScene.09", "Incident Location Type"),
        ("eScene.18", "Incident State"),
        ("eScene.19", "Incident ZIP Code"),
        ("eScene.21", "Incident County"),
    ),
    "eSituation": (
        ("eSituation.01", "Date/Time of Symptom Onset"),
        ("eSituation.02", "Possible Injury"),
        ("eSituation.07", "Chief Complaint Anatomic Location"),
        ("eSituation.08", "Chief Complaint Organ System"),
        ("eSituation.09", "Primary Symptom"),
        ("eSituation.10", "Other Associated Symptoms"),
        ("eSituation.11", "Provider's Primary Impression"),
        ("eSituation.12", "Provider's Secondary Impressions"),
        ("eSituation.13", "Initial Patient Acuity"),
        ("eSituation.18", "Date/Time Last Known Well"),
        ("eSituation.20", "Reason for Interfacility Transfer/Medical Transport"),
    ),
    "eDisposition": (
        ("eDisposition.05", "Destination State"),
        ("eDisposition.06", "Destination County"),
        ("eDisposition.07", "Destination ZIP Code"),
        ("eDisposition.27", "Unit Disposition"),
        ("eDisposition.28", "Patient Evaluation/Care"),
        ("eDisposition.29", "Crew Disposition"),
        ("eDisposition.30", "Transport Disposition"),
        ("eDisposition.16", "EMS Transport Method"),
        ("eDisposition.17", "Transport Mode from Scene"),
        ("eDisposition.18", "Additional Transport Mode Descriptors"),
        ("eDisposition.19", "Acuity Upon EMS Release of Patient"),
        ("eDisposition.20", "Reason for Choosing Destination"),
        ("eDisposition.21", "Type of Destination"),
        ("eDisposition.22", "Hospital In-Patient Destination"),
        ("eDisposition.23", "Hospital Capability"),
        ("eDisposition.24", "Destination Team Pre-Arrival Alert or Activation"),
        ("eDisposition.25", "Date/Time of Destination Prearrival Alert or Activation"),
        ("eDisposition.32", "Level of Care Provided per Protocol"),
    ),
}
