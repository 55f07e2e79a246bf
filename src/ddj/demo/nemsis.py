"""Writing NEMSIS v3.5.1 XML: elements, groups, and values that are not there.

A value the crew could not get is an empty element with ``xsi:nil="true"`` and either a NOT
value (``NV``: 7701001 not applicable, 7701003 not recorded) or a pertinent negative (``PN``:
8801015 none reported, 8801019 refused, 8801023 unable to complete), as the standard requires.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = "http://www.nemsis.org"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    "http://www.nemsis.org https://nemsis.org/media/nemsis_v3/3.5.1.250403CP1/XSDs/"
    "NEMSIS_XSDs/EMSDataSet_v3.xsd"
)
NOT_APPLICABLE, NOT_RECORDED = "7701001", "7701003"
NONE_REPORTED, REFUSED, UNABLE_TO_COMPLETE, APPROXIMATE = "8801015", "8801019", "8801023", "8801029"


class Xml:
    """Builds an XML text: one element per line (no indentation, to keep large files small)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def _attrs(self, attrs: dict[str, str] | None) -> str:
        if not attrs:
            return ""
        return "".join(f" {name}={quoteattr(value)}" for name, value in attrs.items())

    @contextmanager
    def group(self, name: str, attrs: dict[str, str] | None = None) -> Iterator[None]:
        self.parts.append(f"<{name}{self._attrs(attrs)}>\n")
        try:
            yield
        finally:
            self.parts.append(f"</{name}>\n")

    def value(self, name: str, text: str, attrs: dict[str, str] | None = None) -> None:
        self.parts.append(f"<{name}{self._attrs(attrs)}>{escape(text)}</{name}>\n")

    def values(self, name: str, texts: tuple[str, ...] | list[str]) -> None:
        for text in texts:
            self.value(name, text)

    def nil(self, name: str, nv: str = "", pn: str = "") -> None:
        """An element with no value: ``NV`` (a NOT value) or ``PN`` (a pertinent negative)."""
        marker = f' PN="{pn}"' if pn else f' NV="{nv or NOT_RECORDED}"'
        self.parts.append(f'<{name} xsi:nil="true"{marker}/>\n')

    def value_or_nil(self, name: str, text: str, nv: str = NOT_RECORDED) -> None:
        if text:
            self.value(name, text)
        else:
            self.nil(name, nv=nv)

    def text(self) -> str:
        return "".join(self.parts)
