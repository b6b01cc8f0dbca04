"""User-facing errors.

Anything a researcher can cause (a bad spec, a missing package, a malformed file) raises a
`BrlError` with a message that says what to do. The CLI prints these without a traceback; a
traceback means a bug in this project.
"""


class BrlError(Exception):
    """An error caused by input or environment, printed to the user without a traceback."""


class DataError(BrlError):
    """Malformed input data; the message names file, line and field."""

    def __init__(self, path: str, line: int | None, field: str | None, message: str):
        self.path, self.line, self.field, self.detail = str(path), line, field, message
        where = self.path + (f":{line}" if line is not None else "") + (f":{field}" if field else "")
        super().__init__(f"{where}: {message}")
