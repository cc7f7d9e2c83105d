"""The rule registry: an explicit tuple, in id order. Nothing registers itself on import."""

from __future__ import annotations

from .base import Rule
from .console_latency import ConsoleOnlyLatency
from .memory_fallback import MemoryFallback
from .placeholder_ids import PlaceholderResourceId
from .production_verification import ProductionVerificationMissing
from .scaling_metrics import NoScalingMetrics
from .smart_placement import SmartPlacementMissing
from .unreadable_input import UnreadableInput

RULES: tuple[type[Rule], ...] = (
    UnreadableInput,
    PlaceholderResourceId,
    SmartPlacementMissing,
    MemoryFallback,
    ConsoleOnlyLatency,
    NoScalingMetrics,
    ProductionVerificationMissing,
)

__all__ = ["RULES", "Rule"]
