"""Streaming a NEMSIS v3 EMSDataSet: one PatientCareReport at a time, memory flat in file size.

lxml's ``iterparse`` (libxml2) builds each PatientCareReport and reports only the end of PCRs
(tag filtering in C); once one has been read it is cleared and removed from its Header, so the
tree never holds more than one PCR. Only the elements ddj reads are looked at (``wanted``: found
by lxml's tag-filtered ``iter``), not the hundreds of vitals, medications and procedures of a
PCR. Entities are not resolved and nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ddj.errors import FileUnreadableError
from ddj.ingest.nemsis.codes import APPROXIMATE, NEMSIS_NS, NOT_VALUES, PERTINENT_NEGATIVES, XSI_NIL

_PCR = f"{{{NEMSIS_NS}}}PatientCareReport"
_ROOT = f"{{{NEMSIS_NS}}}EMSDataSet"
_ENDS = (_PCR, f"{{{NEMSIS_NS}}}Record", "Record")


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


_LOCAL: dict[str, str] = {}  # qualified tag -> local name, filled as tags are met


def _local(tag: str) -> str:
    name = _LOCAL[tag] = local_name(tag)
    return name


@dataclass
class Pcr:
    """One PatientCareReport: each element's recorded values by element name, in document order.

    An element that is nil (``xsi:nil="true"``), carries a not-value (NV) or a pertinent
    negative (PN, except 8801029 Approximate, which keeps its value) is *not recorded*: it has
    no value, and ``not_recorded`` tells why.
    """

    index: int  # 1 = the first PCR in the file
    uuid: str | None
    values: dict[str, list[str]] = field(default_factory=dict)
    not_recorded: dict[str, str] = field(default_factory=dict)
    approximate: set[str] = field(default_factory=set)

    @classmethod
    def from_element(
        cls,
        element: etree._Element,
        index: int,
        tags: list[str] | None,
        presence_only: Collection[str] = (),
    ) -> Pcr:
        """The PCR's elements (only those named in ``tags``, qualified, if given); of those in
        ``presence_only`` only that they are there (no value, no not-recorded reason)."""
        pcr = cls(index, element.get("UUID"))
        values, not_recorded = pcr.values, pcr.not_recorded
        # The hot loop of the importer: one pass, attributes looked at only when there are any.
        for child in element.iter(*tags) if tags else element.iter():
            tag = child.tag
            if not isinstance(tag, str):
                continue  # a comment or processing instruction
            name = _LOCAL.get(tag) or _local(tag)
            if name in presence_only:
                values.setdefault(name, [])
                continue
            found = values.get(name)
            if found is None:
                found = values[name] = []
            if child.attrib:
                why = _not_recorded(child)
                if why is not None:
                    not_recorded.setdefault(name, why)
                    continue
                if child.get("PN") == APPROXIMATE:
                    pcr.approximate.add(name)
            if len(child):
                continue  # a group: present, no value of its own
            text = child.text
            if text and (text := text.strip()):
                found.append(text)
        return pcr

    def present(self, name: str) -> bool:
        return name in self.values

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])


def _not_recorded(element: etree._Element) -> str | None:
    nv, pn = element.get("NV"), element.get("PN")
    if nv:
        return f"NV {nv} {NOT_VALUES.get(nv, '')}".strip()
    if pn and pn != APPROXIMATE:
        return f"PN {pn} {PERTINENT_NEGATIVES.get(pn, '')}".strip()
    if element.get(XSI_NIL) in ("true", "1"):
        return "nil"
    return None


class BrokenXml(Exception):
    """The XML stops being well-formed after some PCRs were read."""

    def __init__(self, line: int, column: int, message: str):
        self.line, self.column, self.message = line, column, message
        super().__init__(f"line {line}, column {column}: {message}")


class PcrReader:
    """Iterate over a file's PCRs. Raises FileUnreadableError when the file is not XML or not a
    NEMSIS v3 EMSDataSet, and BrokenXml when the XML breaks after the root element.

    ``wanted``: the local names of the elements to read (all of them if None); of those in
    ``presence_only`` only whether they are there is read."""

    def __init__(
        self,
        path: Path,
        wanted: Collection[str] | None = None,
        presence_only: Collection[str] = frozenset(),
    ):
        self.path = path
        self.presence_only = presence_only
        self.count = 0
        self.root_seen = False
        self._tags = [f"{{{NEMSIS_NS}}}{name}" for name in wanted] if wanted else None
        self._v2_records = False

    def __iter__(self) -> Iterator[Pcr]:
        self._check_root()
        try:
            yield from self._read()
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            raise BrokenXml(line, column, _message(exc)) from exc
        except LookupError as exc:
            raise self._unreadable(f"the XML declares an unknown character set ({exc})") from exc
        if self.count == 0 and self._v2_records:
            raise self._unreadable("this is a NEMSIS v2 file (Header/Record); ddj reads NEMSIS v3")

    def _parser(self, handle, **kw) -> etree.iterparse:
        return etree.iterparse(
            handle, resolve_entities=False, no_network=True, huge_tree=True, **kw
        )

    def _check_root(self) -> None:
        """The root element, read on its own before the PCRs."""
        try:
            with self.path.open("rb") as handle:
                _, root = next(iter(self._parser(handle, events=("start",))))
        except (etree.XMLSyntaxError, StopIteration) as exc:
            line, column = exc.position if isinstance(exc, etree.XMLSyntaxError) else (1, 0)
            message = _message(exc) if isinstance(exc, etree.XMLSyntaxError) else "no element"
            raise self._unreadable(f"not XML (line {line}, column {column}: {message})") from exc
        except LookupError as exc:  # the XML declaration names an unknown encoding
            raise self._unreadable(f"the XML declares an unknown character set ({exc})") from exc
        self.root_seen = True
        if root.tag == _ROOT:
            return
        name = local_name(root.tag)
        if name == "DEMDataSet":
            raise self._unreadable(
                "this is a NEMSIS demographic data set (DEMDataSet), not EMS runs (EMSDataSet)"
            )
        raise self._unreadable(f"not a NEMSIS EMSDataSet: the root element is <{name}>")

    def _read(self) -> Iterator[Pcr]:
        with self.path.open("rb") as handle:
            for _, element in self._parser(handle, events=("end",), tag=_ENDS):
                header = element.getparent()
                if header is None or header.getparent() is None:
                    continue
                if header.getparent().getparent() is not None:
                    continue  # not Header/PatientCareReport: nested somewhere else
                if element.tag != _PCR:  # a NEMSIS v2 Header/Record
                    self._v2_records = True
                    element.clear()
                    continue
                self.count += 1
                yield Pcr.from_element(element, self.count, self._tags, self.presence_only)
                element.clear()
                while element.getprevious() is not None:
                    del header[0]
                header.remove(element)

    def _unreadable(self, message: str) -> FileUnreadableError:
        return FileUnreadableError(
            message,
            where=str(self.path),
            fix="give a NEMSIS v3.5 EMS data set export (EMSDataSet XML) to format nemsis",
        )


def _message(exc: etree.XMLSyntaxError) -> str:
    return (exc.msg or str(exc)).split(", line ")[0].strip()
