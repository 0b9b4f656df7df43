"""Import of plans of measures from files and the clipboard; export of a plan."""
