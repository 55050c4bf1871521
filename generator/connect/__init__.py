"""Entra Connect configuration: model, export reader/writer, conflict analysis."""
