"""Plans of measures: the model, the service, import of parsed documents, roll-over."""
