"""Offline packet walks over a node's state: what `ip rule`, the route tables and iptables do to a packet."""

from bundle_analyzer.trace.model import Hop, TraceResult
from bundle_analyzer.trace.walk import trace_path

__all__ = ["Hop", "TraceResult", "trace_path"]
