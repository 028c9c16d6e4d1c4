"""Helpers for tests and ``cnibundle rules test``: an in-memory bundle builder and renderers
of realistic file contents."""

from bundle_analyzer.testing.builder import BundleBuilder, BundleLayoutKind, Member, MemberKind

__all__ = ["BundleBuilder", "BundleLayoutKind", "Member", "MemberKind"]
