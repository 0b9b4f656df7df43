"""The registry table's columns and the item data roles its model answers, without Qt.

Kept apart from `ui.registry.model` so that the registry view can lay out its filters and table
before the model (and `app.registry` behind it) is imported: at start-up that happens right after
the window's first paint.

Qt's item data roles and alignment flags are written here as the plain ints they are (Qt's ABI
fixes their values; tests/ui/test_registry_model.py compares them with Qt's). The model is given
`role` as an int and compares it with these; touching `Qt` instead would make PySide6 build the
Python enums of the whole `Qt` namespace (~13 ms) on the way to the window's first paint.
"""

from __future__ import annotations

from enum import IntEnum

DISPLAY_ROLE = 0  # Qt.ItemDataRole.DisplayRole
TOOLTIP_ROLE = 3  # Qt.ItemDataRole.ToolTipRole
FONT_ROLE = 6  # Qt.ItemDataRole.FontRole
TEXT_ALIGNMENT_ROLE = 7  # Qt.ItemDataRole.TextAlignmentRole
FOREGROUND_ROLE = 9  # Qt.ItemDataRole.ForegroundRole
USER_ROLE = 0x0100  # Qt.ItemDataRole.UserRole
RIGHT_ALIGNED = 0x0002 | 0x0080  # Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

SORT_ROLE = USER_ROLE + 1  # the raw value the column sorts by
SCHOOL_ID_ROLE = USER_ROLE + 2


class Column(IntEnum):
    NAME = 0
    KIND = 1
    LOCALITY = 2
    SETTLEMENT = 3
    DIRECTOR = 4
    STUDENTS = 5
    CATEGORIES = 6
    PARENT = 7
    INN = 8
