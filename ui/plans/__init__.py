"""The plans of measures page: a Gantt-like table of one plan, its filters and commands."""
