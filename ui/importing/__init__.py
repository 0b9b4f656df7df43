"""The Excel import and export flows and the import preview dialog."""
