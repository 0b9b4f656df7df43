"""File-level import failures: the file cannot be read at all, so nothing was changed."""

from __future__ import annotations

from app.errors import AppError


class ImportFileError(AppError):
    """A workbook that cannot be read: missing, too big, not Excel, damaged, no header row."""
