"""Analysis sections of model and scenario files, as the analysis tools read them.

A model or scenario file may carry sections that the simulator itself does not read but
h2sim's analysis tools do: ``outcomes:``, ``targets:``, ``uncertainties:``,
``calibration:`` and ``reality_checks:`` (docs/scenario-format.md). The loader carries
them as plain data and remembers where each part was written, so that the tool that owns
a section can report a bad entry at its file and line::

    section = model.section("outcomes")
    for name, spec in section.value.items():
        if "variable" not in spec:
            raise section.error("an outcome needs `variable:`", name)

In an ``extends:`` chain a later file replaces a mapping section's entries by key, and
any other section whole; sections written in the model file come first.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from .errors import ScenarioError

#: The sections the loader carries, in the order docs/scenario-format.md lists them.
SECTION_NAMES = ("outcomes", "targets", "uncertainties", "calibration", "reality_checks")


class Section:
    """One analysis section: ``value`` (plain dicts, lists, numbers and strings, typed as
    YAML types them) and where each part of it was written."""

    def __init__(self, name: str, value: Any, locations: dict[tuple, tuple[str, int, int]]) -> None:
        self.name = name
        self._value = value
        self._locations = locations

    @property
    def value(self) -> Any:
        """The section's content (a copy: changing it changes nothing else)."""
        return copy.deepcopy(self._value)

    def where(self, *path: str | int) -> tuple[str, int, int]:
        """(file, line, column) of the part at ``path`` below the section (keys and list
        indices), or of its nearest written ancestor."""
        key = (self.name, *path)
        while key:
            if key in self._locations:
                return self._locations[key]
            key = key[:-1]
        return ("", 0, 0)

    def error(self, message: str, *path: str | int) -> ScenarioError:
        """A ScenarioError located at the part at ``path``; ``raise section.error(...)``."""
        file, line, column = self.where(*path)
        dotted = ".".join([self.name, *(f"[{p}]" if isinstance(p, int) else str(p) for p in path)])
        dotted = dotted.replace(".[", "[")
        text = f"at `{dotted}`: {message}"
        prefix = ":".join(str(p) for p in (file, line, column) if p) if file else ""
        return ScenarioError(f"{prefix}: {text}" if prefix else text, message=text, file=file,
                             line=line, column=column)

    def resolve_path(self, text: str, *path: str | int) -> str:
        """A file named at ``path``, relative to the file that named it (absolute paths
        are kept)."""
        if os.path.isabs(text):
            return text
        file = self.where(*path)[0]
        return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(file)) if file else os.getcwd(), text))

    def __repr__(self) -> str:
        file, line, _ = self.where()
        return f"<h2sim.Section {self.name!r} from {file}:{line}>"
