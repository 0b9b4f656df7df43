"""The school registry view: its table model, the school card, the archive dialog."""
