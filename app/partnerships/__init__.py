"""Network partnerships: matching names to the registry, parsing lists, the service."""
