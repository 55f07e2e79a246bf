"""The FY2024 HMIS CSV files the demo writes: their columns, in order, and which hold strings.

From the HUD HMIS CSV Format Specifications FY2024 (column headers are case-sensitive). String
columns (type S) are written in double quotes, as the specifications require; dates
(YYYY-MM-DD), datetimes (YYYY-MM-DD hh:mm:ss) and integers are not.
"""

from __future__ import annotations

# fmt: off
EXPORT: tuple[str, ...] = (
    "ExportID", "SourceType", "SourceID", "SourceName", "SourceContactFirst", "SourceContactLast",
    "SourceContactPhone", "SourceContactExtension", "SourceContactEmail", "ExportDate",
    "ExportStartDate", "ExportEndDate", "SoftwareName", "SoftwareVersion", "CSVVersion",
    "ExportPeriodType", "ExportDirective", "HashStatus", "ImplementationID",
)
ORGANIZATION: tuple[str, ...] = (
    "OrganizationID", "OrganizationName", "VictimServiceProvider", "OrganizationCommonName",
    "DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
)
PROJECT: tuple[str, ...] = (
    "ProjectID", "OrganizationID", "ProjectName", "ProjectCommonName", "OperatingStartDate",
    "OperatingEndDate", "ContinuumProject", "ProjectType", "HousingType", "RRHSubType",
    "ResidentialAffiliation", "TargetPopulation", "HOPWAMedAssistedLivingFac", "PITCount",
    "DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
)
CLIENT: tuple[str, ...] = (
    "PersonalID", "FirstName", "MiddleName", "LastName", "NameSuffix", "NameDataQuality", "SSN",
    "SSNDataQuality", "DOB", "DOBDataQuality", "AmIndAKNative", "Asian", "BlackAfAmerican",
    "HispanicLatinaeo", "MidEastNAfrican", "NativeHIPacific", "White", "RaceNone",
    "AdditionalRaceEthnicity", "Woman", "Man", "NonBinary", "CulturallySpecific", "Transgender",
    "Questioning", "DifferentIdentity", "GenderNone", "DifferentIdentityText", "VeteranStatus",
    "YearEnteredService", "YearSeparated", "WorldWarII", "KoreanWar", "VietnamWar", "DesertStorm",
    "AfghanistanOEF", "IraqOIF", "IraqOND", "OtherTheater", "MilitaryBranch", "DischargeStatus",
    "DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
)
ENROLLMENT: tuple[str, ...] = (
    "EnrollmentID", "PersonalID", "ProjectID", "EntryDate", "HouseholdID", "RelationshipToHoH",
    "EnrollmentCoC", "LivingSituation", "RentalSubsidyType", "LengthOfStay", "LOSUnderThreshold",
    "PreviousStreetESSH", "DateToStreetESSH", "TimesHomelessPastThreeYears",
    "MonthsHomelessPastThreeYears", "DisablingCondition", "DateOfEngagement", "MoveInDate",
    "DateOfPATHStatus", "ClientEnrolledInPATH", "ReasonNotEnrolled", "PercentAMI",
    "ReferralSource", "CountOutreachReferralApproaches", "DateOfBCPStatus", "EligibleForRHY",
    "ReasonNoServices", "RunawayYouth", "SexualOrientation", "SexualOrientationOther",
    "FormerWardChildWelfare", "ChildWelfareYears", "ChildWelfareMonths",
    "FormerWardJuvenileJustice", "JuvenileJusticeYears", "JuvenileJusticeMonths",
    "UnemploymentFam", "MentalHealthDisorderFam", "PhysicalDisabilityFam",
    "AlcoholDrugUseDisorderFam", "InsufficientIncome", "IncarceratedParent", "VAMCStation",
    "TargetScreenReqd", "TimeToHousingLoss", "AnnualPercentAMI", "LiteralHomelessHistory",
    "ClientLeaseholder", "HOHLeaseholder", "SubsidyAtRisk", "EvictionHistory", "CriminalRecord",
    "IncarceratedAdult", "PrisonDischarge", "SexOffender", "DisabledHoH", "CurrentPregnant",
    "SingleParent", "DependentUnder6", "HH5Plus", "CoCPrioritized", "HPScreeningScore",
    "ThresholdScore", "TranslationNeeded", "PreferredLanguage", "PreferredLanguageDifferent",
    "DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
)
EXIT: tuple[str, ...] = (
    "ExitID", "EnrollmentID", "PersonalID", "ExitDate", "Destination", "DestinationSubsidyType",
    "OtherDestination", "HousingAssessment", "SubsidyInformation", "ProjectCompletionStatus",
    "EarlyExitReason", "ExchangeForSex", "ExchangeForSexPastThreeMonths", "CountOfExchangeForSex",
    "AskedOrForcedToExchangeForSex", "AskedOrForcedToExchangeForSexPastThreeMonths",
    "WorkplaceViolenceThreats", "WorkplacePromiseDifference", "CoercedToContinueWork",
    "LaborExploitPastThreeMonths", "CounselingReceived", "IndividualCounseling",
    "FamilyCounseling", "GroupCounseling", "SessionCountAtExit", "PostExitCounselingPlan",
    "SessionsInPlan", "DestinationSafeClient", "DestinationSafeWorker", "PosAdultConnections",
    "PosPeerConnections", "PosCommunityConnections", "AftercareDate", "AftercareProvided",
    "EmailSocialMedia", "Telephone", "InPersonIndividual", "InPersonGroup", "CMExitReason",
    "DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
)
SERVICES: tuple[str, ...] = (
    "ServicesID", "EnrollmentID", "PersonalID", "DateProvided", "RecordType", "TypeProvided",
    "OtherTypeProvided", "MovingOnOtherType", "SubTypeProvided", "FAAmount", "FAStartDate",
    "FAEndDate", "ReferralOutcome", "DateCreated", "DateUpdated", "UserID", "DateDeleted",
    "ExportID",
)
# fmt: on

# Columns of type S (strings) in any of the files.
STRING_COLUMNS: frozenset[str] = frozenset(
    {
        "AdditionalRaceEthnicity",
        "CSVVersion",
        "DifferentIdentityText",
        "EnrollmentCoC",
        "EnrollmentID",
        "ExitID",
        "ExportID",
        "FirstName",
        "HouseholdID",
        "ImplementationID",
        "LastName",
        "MiddleName",
        "MovingOnOtherType",
        "NameSuffix",
        "OrganizationCommonName",
        "OrganizationID",
        "OrganizationName",
        "OtherDestination",
        "OtherTypeProvided",
        "PersonalID",
        "PreferredLanguageDifferent",
        "ProjectCommonName",
        "ProjectID",
        "ProjectName",
        "SSN",
        "ServicesID",
        "SexualOrientationOther",
        "SoftwareName",
        "SoftwareVersion",
        "SourceContactEmail",
        "SourceContactExtension",
        "SourceContactFirst",
        "SourceContactLast",
        "SourceContactPhone",
        "SourceID",
        "SourceName",
        "UserID",
        "VAMCStation",
    }
)

FILES: dict[str, tuple[str, ...]] = {
    "Export.csv": EXPORT,
    "Organization.csv": ORGANIZATION,
    "Project.csv": PROJECT,
    "Client.csv": CLIENT,
    "Enrollment.csv": ENROLLMENT,
    "Exit.csv": EXIT,
    "Services.csv": SERVICES,
}
