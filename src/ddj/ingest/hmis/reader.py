"""Reading one HMIS CSV export into canonical records and events, chunk by chunk.

Files are read in dependency order: Client.csv, Project.csv, Exit.csv, Enrollment.csv,
Services.csv and CurrentLivingSituation.csv. Each row is turned into its record or event as it is
read and handed on in chunks, so memory does not grow with the export's rows; what later files
need is kept as ids (the clients loaded, each enrollment's person, project and dates, each exit
until its enrollment is read). A row that cannot be used goes to quarantine with its file and
row number; a row that depends on a quarantined row (an enrollment of a quarantined client) is
quarantined too, naming the row it depends on. Rows with DateDeleted set are skipped, but
remembered so that a later export in the same folder can remove what an earlier one loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ddj.errors import FileUnreadableError
from ddj.ingest import fields as f
from ddj.ingest.canonical import ParsedFile
from ddj.ingest.hmis import codes
from ddj.ingest.hmis.convert import (
    Bad,
    client_record,
    hmis_date,
    is_deleted,
    midnight,
    required_text,
    value,
)
from ddj.ingest.hmis.export import CLIENT, Export

EXPORT = "Export.csv"
PROJECT = "Project.csv"
ENROLLMENT = "Enrollment.csv"
EXIT = "Exit.csv"
SERVICES = "Services.csv"
LIVING = "CurrentLivingSituation.csv"

_GENDER = ("Woman", "Man", "NonBinary", "CulturallySpecific", "Transgender", "Questioning")
_GENDER_OLD = ("DifferentIdentity", "GenderNone", "Female", "Male", "NoSingleGender")
_CLIENT_COLUMNS = (
    "PersonalID", "FirstName", "MiddleName", "LastName", "NameSuffix", "NameDataQuality", "SSN",
    "SSNDataQuality", "DOB", "DOBDataQuality", "Sex", *_GENDER, *_GENDER_OLD, "DateDeleted",
)  # fmt: skip
_PROJECT_COLUMNS = ("ProjectID", "ProjectName", "ProjectType", "TrackingMethod", "DateDeleted")
_ENROLLMENT_COLUMNS = (
    "EnrollmentID", "PersonalID", "ProjectID", "EntryDate", "HouseholdID", "RelationshipToHoH",
    "LivingSituation", "MoveInDate", "DateDeleted",
)  # fmt: skip
_EXIT_COLUMNS = ("ExitID", "EnrollmentID", "PersonalID", "ExitDate", "Destination", "DateDeleted")
_SERVICES_COLUMNS = (
    "ServicesID", "EnrollmentID", "PersonalID", "DateProvided", "RecordType", "DateDeleted",
)  # fmt: skip
_LIVING_COLUMNS = (
    "CurrentLivingSitID", "EnrollmentID", "PersonalID", "InformationDate",
    "CurrentLivingSituation", "CLSSubsidyType", "VerifiedBy", "LeaveSituation14Days",
    "SubsequentResidence", "ResourcesToObtain", "LeaseOwn60Day", "MovedTwoOrMore",
    "LocationDetails", "DateDeleted",
)  # fmt: skip
_UNHASHED = "1"
CHUNK_ROWS = 20_000
# The files read: (required columns, known columns) of each.
_FILES = {
    CLIENT: (("PersonalID", "FirstName", "LastName", "DOB"), _CLIENT_COLUMNS),
    PROJECT: (("ProjectID", "ProjectType"), _PROJECT_COLUMNS),
    ENROLLMENT: (("EnrollmentID", "PersonalID", "ProjectID", "EntryDate"), _ENROLLMENT_COLUMNS),
    EXIT: (("EnrollmentID", "ExitDate"), _EXIT_COLUMNS),
    SERVICES: (("EnrollmentID", "DateProvided", "RecordType"), _SERVICES_COLUMNS),
    LIVING: (("CurrentLivingSitID", "EnrollmentID", "InformationDate"), _LIVING_COLUMNS),
}


@dataclass
class Deletions:
    """What an export marks deleted (DateDeleted): applied to earlier exports of a folder."""

    clients: set[str] = field(default_factory=set)
    enrollments: set[str] = field(default_factory=set)
    bed_nights: set[str] = field(default_factory=set)  # event ids
    living_situations: set[str] = field(default_factory=set)  # event ids


@dataclass
class _Project:
    kind: codes.ProjectKind
    type_code: int | None
    location: str | None

    @property
    def night_by_night(self) -> bool:
        return self.type_code == codes.NIGHT_BY_NIGHT


@dataclass
class _Enrollment:
    """What later files need of an enrollment (its event is written as soon as it is read)."""

    pid: str
    project_id: str
    project: _Project
    entry: date
    row: int
    exit: date | None = None


@dataclass
class _Exit:
    enrollment_id: str
    pid: str | None
    exit_date: date
    destination: dict[str, str] | None
    row: int


def enrollment_event_id(enrollment_id: str) -> str:
    return f"enr:{enrollment_id}"


def bed_night_event_id(enrollment_id: str, night: date) -> str:
    return f"bed:{enrollment_id}:{night.isoformat()}"


def living_situation_event_id(current_living_sit_id: str) -> str:
    return f"cls:{current_living_sit_id}"


class ExportReader:
    def __init__(self, export: Export, today: date):
        self.x = export
        self.today = today
        self.parsed = ParsedFile()
        self.deleted = Deletions()
        self.projects: dict[str, _Project] = {}
        self.enrollments: dict[str, _Enrollment] = {}
        self.exits: dict[str, list[_Exit]] = {}  # by EnrollmentID, until it is read
        # ids whose row was quarantined or skipped, so dependent rows can say why they fail
        self.bad: dict[str, dict[str, int]] = {PROJECT: {}, CLIENT: {}, ENROLLMENT: {}}
        self.skipped: dict[str, set[str]] = {PROJECT: set(), CLIENT: set(), ENROLLMENT: set()}
        self.client_rows: dict[str, int] = {}  # PersonalID -> its row (loaded or quarantined)
        # Event ids already handed on: a repeated one in a later chunk would be a second version.
        self.nights_seen: set[str] = set()
        self.living_rows: dict[str, int] = {}  # CurrentLivingSitID -> its row
        self.chunk_size = CHUNK_ROWS

    def read(self) -> tuple[ParsedFile, Deletions]:
        """The whole export at once."""
        whole = ParsedFile()
        for chunk in self.chunks(0):
            whole = chunk
        return whole, self.deleted

    def chunks(self, size: int | None = None) -> Iterator[ParsedFile]:
        """The export as ParsedFiles of about ``size`` records and events (0: one chunk);
        ``self.deleted`` is complete once the last chunk has been taken."""
        self.chunk_size = CHUNK_ROWS if size is None else size
        self._check_hashing()
        self._check_headers()
        yield from self._read_clients()
        if self.x.has(ENROLLMENT):
            if not self.x.has(PROJECT):
                raise FileUnreadableError(
                    f"{ENROLLMENT} is there but {PROJECT} is missing",
                    where=self.x.label,
                    fix="export the HMIS CSV again with all its files",
                )
            self._read_projects()
            if self.x.has(EXIT):
                self._read_exits()
            yield from self._read_enrollments()
            self._orphan_exits()
            if self.x.has(SERVICES):
                yield from self._read_bed_nights()
            if self.x.has(LIVING):
                yield from self._read_living_situations()
        yield self.parsed

    def _check_headers(self) -> None:
        """Every file's header, before any row is handed on: an export that cannot be read as a
        whole (a missing file or column) fails before anything of it is written."""
        if self.x.has(ENROLLMENT) and not self.x.has(PROJECT):
            raise FileUnreadableError(
                f"{ENROLLMENT} is there but {PROJECT} is missing",
                where=self.x.label,
                fix="export the HMIS CSV again with all its files",
            )
        for name, (required, known) in _FILES.items():
            if self.x.has(name):
                self.x.rows(name, required, known).close()

    def _full(self) -> Iterator[ParsedFile]:
        """Hand on the chunk when it is full."""
        if self.chunk_size and len(self.parsed.records) + len(self.parsed.events) >= (
            self.chunk_size
        ):
            chunk, self.parsed = self.parsed, ParsedFile()
            yield chunk

    # -- plumbing -------------------------------------------------------------------------

    def _rows(
        self,
        name: str,
        required: tuple[str, ...],
        known: tuple[str, ...],
        on_deleted: Callable[[dict[str, str]], None] | None = None,
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """The usable rows of a file: unreadable rows are quarantined, deleted rows are passed
        to on_deleted (and never quarantined, however damaged)."""
        for number, values, problem in self.x.rows(name, required, known):
            self.parsed.rows_read += 1
            if problem is not None:
                self._reject(name, number, problem[0], None, problem[1])
            elif is_deleted(values):
                if on_deleted is not None:
                    on_deleted(values)
            else:
                yield number, values

    def _deleted_project(self, row: dict[str, str]) -> None:
        self._skip(PROJECT, value(row, "ProjectID"), set())

    def _deleted_client(self, row: dict[str, str]) -> None:
        self._skip(CLIENT, value(row, "PersonalID"), self.deleted.clients)

    def _deleted_enrollment(self, row: dict[str, str]) -> None:
        self._skip(ENROLLMENT, value(row, "EnrollmentID"), self.deleted.enrollments)

    def _skip(self, name: str, key: str | None, deleted: set[str]) -> None:
        """Rows referring to a deleted row are skipped too, not quarantined."""
        if key is not None:
            self.skipped[name].add(key)
            deleted.add(key)

    def _reject(self, name: str, row: int, column: str | None, raw: Any, reason: str) -> None:
        where = f"{self.x.prefix}{name}" + (f":{column}" if column else "")
        self.parsed.reject(row, where, raw, reason)

    def _depends(self, name: str, key: str, column: str) -> Bad | None:
        """Why a row referring to `key` in file `name` cannot load; None to skip it silently
        (its parent was deleted)."""
        if key in self.skipped[name]:
            return None
        if key in self.bad[name]:
            return Bad(
                column,
                key,
                f"{column} {key}: its {name} row {self.bad[name][key]} was quarantined",
            )
        return Bad(column, key, f"{column} {key} is not in {name}")

    # -- files ----------------------------------------------------------------------------

    def _check_hashing(self) -> None:
        if not self.x.has(EXPORT):
            return
        for _, row, _problem in self.x.rows(EXPORT, (), ("ExportID", "HashStatus")):
            status = value(row, "HashStatus")
            if status not in (None, _UNHASHED):
                raise FileUnreadableError(
                    f"this export is hashed (HashStatus {status}): names and SSNs cannot be linked",
                    where=self.x.label,
                    fix="ask the HMIS administrator for an unhashed export (HashStatus 1)",
                )

    def _read_projects(self) -> None:
        fy2022 = False
        required = _FILES[PROJECT][0]
        for number, row in self._rows(PROJECT, required, _PROJECT_COLUMNS, self._deleted_project):
            fy2022 = fy2022 or "TrackingMethod" in row
            project_id = value(row, "ProjectID")
            if project_id is None:
                self._reject(PROJECT, number, "ProjectID", None, "missing ProjectID")
                continue
            try:
                self.projects[project_id] = _project(row, fy2022)
            except Bad as bad:
                self._reject(PROJECT, number, bad.column, bad.value, bad.reason)
                self.bad[PROJECT][project_id] = number

    def _read_clients(self) -> Iterator[ParsedFile]:
        required = _FILES[CLIENT][0]
        for number, row in self._rows(CLIENT, required, _CLIENT_COLUMNS, self._deleted_client):
            pid = value(row, "PersonalID")
            if pid is None:
                self._reject(CLIENT, number, "PersonalID", None, "missing PersonalID")
                continue
            if pid in self.client_rows:
                reason = f"PersonalID {pid} is also on row {self.client_rows[pid]}"
                self._reject(CLIENT, number, "PersonalID", pid, reason)
                continue
            self.client_rows[pid] = number
            try:
                self.parsed.records[pid] = client_record(row, self.today)
            except Bad as bad:
                self._reject(CLIENT, number, bad.column, bad.value, bad.reason)
                self.bad[CLIENT][pid] = number
                continue
            yield from self._full()

    def _read_enrollments(self) -> Iterator[ParsedFile]:
        required = _FILES[ENROLLMENT][0]
        deleted = self._deleted_enrollment
        for number, row in self._rows(ENROLLMENT, required, _ENROLLMENT_COLUMNS, deleted):
            try:
                eid = required_text(row, "EnrollmentID")
            except Bad as bad:
                self._reject(ENROLLMENT, number, bad.column, bad.value, bad.reason)
                continue
            try:
                enrollment = self._enrollment(row, number, eid)
            except Bad as bad:
                self._reject(ENROLLMENT, number, bad.column, bad.value, bad.reason)
                self.bad[ENROLLMENT].setdefault(eid, number)
                continue
            if enrollment is None:
                self.skipped[ENROLLMENT].add(eid)
                continue
            self.enrollments[eid] = enrollment
            details = {"EnrollmentID": eid, "ProjectID": enrollment.project_id}
            details.update(_enrollment_details(row))
            self._attach_exit(eid, enrollment, details)
            self._emit_enrollment(eid, enrollment, details)
            yield from self._full()

    def _enrollment(self, row: dict[str, str], number: int, eid: str) -> _Enrollment | None:
        if eid in self.enrollments:
            earlier = self.enrollments[eid].row
            raise Bad("EnrollmentID", eid, f"EnrollmentID {eid} is also on row {earlier}")
        pid = required_text(row, "PersonalID")
        if pid not in self.client_rows or pid in self.bad[CLIENT]:
            bad = self._depends(CLIENT, pid, "PersonalID")
            if bad is None:
                return None
            raise bad
        project_id = required_text(row, "ProjectID")
        project = self.projects.get(project_id)
        if project is None:
            bad = self._depends(PROJECT, project_id, "ProjectID")
            if bad is None:
                return None
            raise bad
        entry = hmis_date(row, "EntryDate")
        assert entry is not None
        return _Enrollment(pid, project_id, project, entry, number)

    def _read_exits(self) -> None:
        """Exits are read before their enrollments and kept until each is read."""
        for number, row in self._rows(EXIT, _FILES[EXIT][0], _EXIT_COLUMNS):
            try:
                eid = required_text(row, "EnrollmentID")
                exit_date = hmis_date(row, "ExitDate")
                assert exit_date is not None
            except Bad as bad:
                self._reject(EXIT, number, bad.column, bad.value, bad.reason)
                continue
            destination = codes.living_situation(value(row, "Destination"))
            found = _Exit(eid, value(row, "PersonalID"), exit_date, destination, number)
            self.exits.setdefault(eid, []).append(found)

    def _attach_exit(self, eid: str, enrollment: _Enrollment, details: dict[str, Any]) -> None:
        """The first usable exit of the enrollment ends it; the others are quarantined."""
        used: _Exit | None = None
        for found in self.exits.pop(eid, []):
            try:
                if used is not None:
                    raise Bad(
                        "EnrollmentID",
                        eid,
                        f"a second exit for this enrollment (row {used.row} is used)",
                    )
                if found.pid is not None and found.pid != enrollment.pid:
                    raise Bad(
                        "PersonalID",
                        found.pid,
                        f"PersonalID differs from the enrollment's ({enrollment.pid})",
                    )
                if found.exit_date < enrollment.entry:
                    raise Bad(
                        "ExitDate",
                        found.exit_date.isoformat(),
                        f"ExitDate is before the EntryDate {enrollment.entry.isoformat()}",
                    )
            except Bad as bad:
                self._reject(EXIT, found.row, bad.column, bad.value, bad.reason)
                continue
            used = found
            enrollment.exit = found.exit_date
            if found.destination:
                details["Destination"] = found.destination

    def _orphan_exits(self) -> None:
        """Exits whose enrollment was not loaded: quarantined, or skipped if it was deleted."""
        for eid, found_exits in self.exits.items():
            bad = self._depends(ENROLLMENT, eid, "EnrollmentID")
            if bad is not None:
                for found in found_exits:
                    self._reject(EXIT, found.row, bad.column, bad.value, bad.reason)
        self.exits.clear()

    def _enrollment_of(self, row: dict[str, str]) -> _Enrollment | None:
        eid = required_text(row, "EnrollmentID")
        enrollment = self.enrollments.get(eid)
        if enrollment is None:
            bad = self._depends(ENROLLMENT, eid, "EnrollmentID")
            if bad is None:
                return None
            raise bad
        pid = value(row, "PersonalID")
        if pid is not None and pid != enrollment.pid:
            raise Bad(
                "PersonalID", pid, f"PersonalID differs from the enrollment's ({enrollment.pid})"
            )
        return enrollment

    def _read_bed_nights(self) -> Iterator[ParsedFile]:
        required = _FILES[SERVICES][0]
        deleted = self._note_deleted_bed_night
        for number, row in self._rows(SERVICES, required, _SERVICES_COLUMNS, deleted):
            if value(row, "RecordType") != codes.BED_NIGHT:
                continue  # other services are not contacts ddj counts
            try:
                self._bed_night(row, number)
            except Bad as bad:
                self._reject(SERVICES, number, bad.column, bad.value, bad.reason)
                continue
            yield from self._full()

    def _read_living_situations(self) -> Iterator[ParsedFile]:
        required = _FILES[LIVING][0]
        for number, row in self._rows(LIVING, required, _LIVING_COLUMNS, self._deleted_living):
            try:
                self._living_situation(row, number)
            except Bad as bad:
                self._reject(LIVING, number, bad.column, bad.value, bad.reason)
                continue
            yield from self._full()

    def _living_situation(self, row: dict[str, str], number: int) -> None:
        """4.12 Current Living Situation: where the person was staying at one contact (a street
        outreach contact, a coordinated-entry or services contact), one event per row."""
        cls_id = required_text(row, "CurrentLivingSitID")
        if cls_id in self.living_rows:
            reason = f"CurrentLivingSitID {cls_id} is also on row {self.living_rows[cls_id]}"
            raise Bad("CurrentLivingSitID", cls_id, reason)
        self.living_rows[cls_id] = number
        enrollment = self._enrollment_of(row)
        if enrollment is None:
            return
        day = hmis_date(row, "InformationDate")
        assert day is not None
        if day < enrollment.entry:
            raise Bad(
                "InformationDate",
                value(row, "InformationDate"),
                f"InformationDate is before the EntryDate {enrollment.entry.isoformat()}",
            )
        eid = required_text(row, "EnrollmentID")
        details: dict[str, Any] = {"EnrollmentID": eid, "ProjectID": enrollment.project_id}
        situation = codes.living_situation(value(row, "CurrentLivingSituation"))
        if situation:
            details["CurrentLivingSituation"] = situation
        for column in ("VerifiedBy", "LocationDetails"):
            if text := f.text(row.get(column)):
                details[column] = text
        for column in ("LeaveSituation14Days", "LeaseOwn60Day", "MovedTwoOrMore"):
            if (answer := value(row, column)) is not None:
                details[column] = codes.NO_YES.get(answer, answer)
        self.parsed.events[living_situation_event_id(cls_id)] = {
            "event_type": codes.contact_event_type(enrollment.project.kind),
            "start_at": midnight(day),
            "end_at": None,
            "location": enrollment.project.location,
            "project_type": enrollment.project.kind.name.upper(),
            "details": details,
            "part2": False,
            "source_person_id": enrollment.pid,
        }

    def _deleted_living(self, row: dict[str, str]) -> None:
        cls_id = value(row, "CurrentLivingSitID")
        if cls_id:
            self.deleted.living_situations.add(living_situation_event_id(cls_id))

    def _bed_night(self, row: dict[str, str], number: int) -> None:
        enrollment = self._enrollment_of(row)
        if enrollment is None or not enrollment.project.night_by_night:
            return  # an entry/exit shelter's stay is its enrollment
        night = hmis_date(row, "DateProvided")
        assert night is not None
        if not _within(night, enrollment):
            raise Bad(
                "DateProvided",
                value(row, "DateProvided"),
                "bed night outside the enrollment "
                f"({enrollment.entry.isoformat()} to "
                f"{enrollment.exit.isoformat() if enrollment.exit else 'open'})",
            )
        eid = required_text(row, "EnrollmentID")
        event_id = bed_night_event_id(eid, night)
        if event_id in self.nights_seen:
            return  # the same night twice counts once (the first row is kept)
        self.nights_seen.add(event_id)
        details = {"EnrollmentID": eid, "ProjectID": enrollment.project_id}
        services_id = value(row, "ServicesID")
        if services_id:
            details["ServicesID"] = services_id
        self.parsed.events[event_id] = {
            "event_type": codes.SHELTER_STAY,
            "start_at": midnight(night),
            "end_at": midnight(night + timedelta(days=1)),
            "location": enrollment.project.location,
            "project_type": enrollment.project.kind.name.upper(),
            "details": details,
            "part2": False,
            "source_person_id": enrollment.pid,
        }

    def _note_deleted_bed_night(self, row: dict[str, str]) -> None:
        if value(row, "RecordType") != codes.BED_NIGHT:
            return
        try:
            eid, night = value(row, "EnrollmentID"), hmis_date(row, "DateProvided")
        except Bad:
            return  # a deleted row is ignored, however damaged
        if eid and night:
            self.deleted.bed_nights.add(bed_night_event_id(eid, night))

    def _emit_enrollment(self, eid: str, e: _Enrollment, details: dict[str, Any]) -> None:
        self.parsed.events[enrollment_event_id(eid)] = {
            "event_type": e.project.kind.event_type,
            "start_at": midnight(e.entry),
            "end_at": midnight(e.exit) if e.exit else None,
            "location": e.project.location,
            "project_type": e.project.kind.name.upper(),
            "details": details,
            "part2": False,
            "source_person_id": e.pid,
        }


def _within(night: date, enrollment: _Enrollment) -> bool:
    """A bed night lies from the entry date to the day before the exit (HMIS CSV Services.csv
    rules); a bed night on the entry date is always allowed, even for a same-day exit."""
    if night == enrollment.entry:
        return True
    return night > enrollment.entry and (enrollment.exit is None or night < enrollment.exit)


def _project(row: dict[str, str], fy2022: bool) -> _Project:
    raw = value(row, "ProjectType")
    location = f.text(row.get("ProjectName"))
    location = location.upper() if location else None
    if raw is None:
        return _Project(codes.UNTYPED_PROJECT, None, location)
    try:
        type_code = int(raw)
    except ValueError:
        raise Bad("ProjectType", raw, "ProjectType is not a number") from None
    if fy2022:
        type_code = codes.fy2022_project_type(type_code, value(row, "TrackingMethod"))
    kind = codes.PROJECT_TYPES.get(type_code)
    if kind is None:
        raise Bad("ProjectType", raw, f"unknown ProjectType {raw} (see HUD list 2.02.6)")
    return _Project(kind, type_code, location)


def _enrollment_details(row: dict[str, str]) -> dict[str, Any]:
    details: dict[str, Any] = {}
    household = value(row, "HouseholdID")
    if household:
        details["HouseholdID"] = household
    relationship = value(row, "RelationshipToHoH")
    if relationship:
        label = codes.RELATIONSHIP_TO_HOH.get(relationship, "Unknown code")
        details["RelationshipToHoH"] = {"code": relationship, "label": label}
    living = codes.living_situation(value(row, "LivingSituation"))
    if living:
        details["LivingSituation"] = living
    move_in = value(row, "MoveInDate")
    if move_in:
        details["MoveInDate"] = move_in
    return details
