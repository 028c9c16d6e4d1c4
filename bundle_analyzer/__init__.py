"""cnibundle: offline analysis of Amazon VPC CNI / EKS node support bundles.

>>> from bundle_analyzer import analyze, load_bundle      # doctest: +SKIP
>>> report = analyze("eks_i-0abc_2024-01-01_1200-UTC_0.7.9.tar.gz")   # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "analyze", "load_bundle", "Report", "Bundle"]


def __getattr__(name: str):
    # Imported lazily so that `import bundle_analyzer` stays cheap for the CLI's --help.
    if name == "analyze":
        from bundle_analyzer.analysis import analyze

        return analyze
    if name == "load_bundle":
        from bundle_analyzer.load import load_bundle

        return load_bundle
    if name == "Report":
        from bundle_analyzer.report.model import Report

        return Report
    if name == "Bundle":
        from bundle_analyzer.bundle import Bundle

        return Bundle
    raise AttributeError(name)
