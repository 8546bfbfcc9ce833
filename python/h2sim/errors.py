"""Exceptions raised by h2sim. Each carries where the problem is.

``h2sim.Error`` is the base class; ``ParseError`` (equation or file syntax),
``ScenarioError`` (scenario and model files: keys, types, schedules), ``FileError`` (a file
that cannot be read or written; ``WriteError`` for an output file; also an ``OSError``), ``ModelError``
(unknown names, dimensions, algebraic loops), ``SimulationError`` (non-finite values,
bad time settings) and ``ArgumentError`` (a bad argument to a function of the API; also a
``ValueError``, and as ``ArgumentTypeError`` a ``TypeError`` too) derive from it. ``str(error)`` is the complete message with the file,
line, variable and equation; the attributes hold the parts.
"""

from __future__ import annotations


class Error(Exception):
    """Base class of every h2sim error.

    Attributes: ``message`` (the bare description), ``file``, ``line``, ``column``
    (0 when unknown), ``variable`` and ``equation``.
    """

    def __init__(self, text: str, message: str | None = None, file: str = "", line: int = 0,
                 column: int = 0, variable: str = "", equation: str = "") -> None:
        super().__init__(text)
        self.message = message if message is not None else text
        self.file = file
        self.line = line
        self.column = column
        self.variable = variable
        self.equation = equation

    def __reduce__(self):  # errors cross process boundaries (concurrent.futures)
        return (type(self), (str(self), self.message, self.file, self.line, self.column,
                             self.variable, self.equation))


class ParseError(Error):
    """Syntax: an equation, a YAML or an XMILE file that does not parse."""


class ScenarioError(Error):
    """A scenario or model file that parses but says something invalid."""


class FileError(Error, OSError):
    """A file that cannot be read or written (missing, a folder, no permission): the path
    and the reason. Also an ``OSError``."""


class WriteError(FileError):
    """An output file that could not be written; nothing half-written is left behind (the
    h2sim command exits with code 3)."""


class ModelError(Error):
    """Model structure: unknown names, dimension mismatches, algebraic loops."""


class SimulationError(Error):
    """A run that cannot go on: non-finite values, impossible time settings."""


class ArgumentError(Error, ValueError):
    """A bad argument to a function of the API: a value out of range, a name twice, an
    empty table. Also a ``ValueError``."""


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of the wrong type (text where a number belongs, a list where a mapping
    does). Also a ``TypeError``."""


class ArgumentKeyError(ArgumentError, KeyError):
    """A name an argument gives that is not there (an outcome, a column). Also a
    ``KeyError``, as the analysis tools always raised it."""

    __str__ = Exception.__str__  # the message as written, not quoted as KeyError quotes it
