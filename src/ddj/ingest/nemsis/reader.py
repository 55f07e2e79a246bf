"""Streaming a NEMSIS v3 EMSDataSet: one PatientCareReport at a time, memory flat in file size.

``xml.etree.ElementTree.iterparse`` builds each PatientCareReport; once it has been read it is
removed from its Header, so the tree never holds more than one PCR. External entities are not
resolved (ElementTree does not load them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ddj.errors import FileUnreadableError
from ddj.ingest.nemsis.codes import APPROXIMATE, NEMSIS_NS, NOT_VALUES, PERTINENT_NEGATIVES, XSI_NIL

_PCR = f"{{{NEMSIS_NS}}}PatientCareReport"
_ROOT = f"{{{NEMSIS_NS}}}EMSDataSet"


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


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
    def from_element(cls, element: ET.Element, index: int) -> Pcr:
        pcr = cls(index, element.get("UUID"))
        for child in element.iter():
            pcr._add(local_name(child.tag), child)
        return pcr

    def _add(self, name: str, element: ET.Element) -> None:
        why = _not_recorded(element)
        if why is not None:
            self.not_recorded.setdefault(name, why)
            self.values.setdefault(name, [])
            return
        text = (element.text or "").strip()
        if len(element):  # a group: present, no value of its own
            self.values.setdefault(name, [])
            return
        self.values.setdefault(name, [])
        if text:
            self.values[name].append(text)
        if element.get("PN") == APPROXIMATE:
            self.approximate.add(name)

    def present(self, name: str) -> bool:
        return name in self.values

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])


def _not_recorded(element: ET.Element) -> str | None:
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
    NEMSIS v3 EMSDataSet, and BrokenXml when the XML breaks after the root element."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self.root_seen = False
        self._v2_records = False

    def __iter__(self) -> Iterator[Pcr]:
        try:
            yield from self._read()
        except ET.ParseError as exc:
            line, column = exc.position
            message = str(exc).split(":")[0]
            if not self.root_seen:
                raise self._unreadable(
                    f"not XML (line {line}, column {column}: {message})"
                ) from exc
            raise BrokenXml(line, column, message) from exc
        except LookupError as exc:  # the XML declaration names an unknown encoding
            raise self._unreadable(f"the XML declares an unknown character set ({exc})") from exc
        if self.count == 0 and self._v2_records:
            raise self._unreadable("this is a NEMSIS v2 file (Header/Record); ddj reads NEMSIS v3")

    def _read(self) -> Iterator[Pcr]:
        depth = 0
        header: ET.Element | None = None
        with self.path.open("rb") as handle:
            for event, element in ET.iterparse(handle, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        self._check_root(element)
                    elif depth == 2:
                        header = element
                    elif depth == 3 and local_name(element.tag) == "Record":
                        self._v2_records = True
                    continue
                depth -= 1
                if element.tag == _PCR and depth == 2:
                    self.count += 1
                    yield Pcr.from_element(element, self.count)
                    if header is not None:
                        header.remove(element)

    def _check_root(self, root: ET.Element) -> None:
        self.root_seen = True
        if root.tag == _ROOT:
            return
        name = local_name(root.tag)
        if name == "DEMDataSet":
            raise self._unreadable(
                "this is a NEMSIS demographic data set (DEMDataSet), not EMS runs (EMSDataSet)"
            )
        raise self._unreadable(f"not a NEMSIS EMSDataSet: the root element is <{name}>")

    def _unreadable(self, message: str) -> FileUnreadableError:
        return FileUnreadableError(
            message,
            where=str(self.path),
            fix="give a NEMSIS v3.5 EMS data set export (EMSDataSet XML) to format nemsis",
        )
