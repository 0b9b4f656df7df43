"""Storage: the one connection factory, numbered migrations, backups and integrity checks.

Nothing here imports Qt or pandas; `app` builds on this package, `ui` never touches it directly.
"""

from db.connection import Database, open_database
from db.errors import DatabaseError

__all__ = ["Database", "DatabaseError", "open_database"]
