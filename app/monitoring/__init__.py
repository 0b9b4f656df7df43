"""Monitoring: criteria templates, campaigns, values, Excel forms."""
