"""Importing spreadsheets: reading a workbook safely, finding its header, mapping columns by
Russian synonyms, and per-row, per-column issues. `registry_import` is the first importer built
on it; later importers (plans, partnerships, monitoring forms, results) reuse the same parts."""
