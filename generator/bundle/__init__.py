"""The change bundle: scripts, rule files, documents, report and preview."""

from generator.bundle.build import BundleResult, write_bundle

__all__ = ["BundleResult", "write_bundle"]
