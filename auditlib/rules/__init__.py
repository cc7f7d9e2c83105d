"""The rule registry: an explicit tuple, in id order. Nothing registers itself on import."""

from __future__ import annotations

from .base import Rule
from .binding_name_conflict import BindingNameConflict
from .ci_deploy import AppNotDeployedByCi
from .compatibility_date import CompatibilityDateStale
from .console_latency import ConsoleOnlyLatency
from .doc_config_block import DocConfigBlockDrift
from .doc_header import DocHeaderInvalid
from .doc_line_counts import DocLineCountDrift
from .doc_links import DocBrokenLink
from .doc_names import DocNameDrift
from .doc_negative import DocNegativeClaimContradicted
from .doc_ranges import DocCitationOutOfRange
from .doc_snippets import DocSnippetMoved
from .doc_stale import DocStale
from .doc_status import DocVerifiedWithDrift
from .durable_object_class import DurableObjectClassNotFound
from .durable_object_migration import DurableObjectMigrationMissing
from .environment_bindings import BindingMissingInEnvironment
from .legacy_keys import LegacyConfigKey
from .memory_fallback import MemoryFallback
from .observability import ObservabilityDisabled
from .pages_config import PagesConfigInvalid
from .placeholder_ids import PlaceholderResourceId
from .production_verification import ProductionVerificationMissing
from .queue_consumed_twice import QueueConsumedTwice
from .queue_consumer import QueueConsumerWithoutDeadLetterQueue
from .refused_section import BindingSectionRefused
from .scaling_metrics import NoScalingMetrics
from .secret_vars import SecretInVars
from .smart_placement import SmartPlacementMissing
from .suppression_reason import SuppressionWithoutReason
from .unreadable_input import UnreadableInput

RULES: tuple[type[Rule], ...] = (
    UnreadableInput,
    PlaceholderResourceId,
    SmartPlacementMissing,
    MemoryFallback,
    ConsoleOnlyLatency,
    NoScalingMetrics,
    ProductionVerificationMissing,
    ObservabilityDisabled,
    DurableObjectMigrationMissing,
    DurableObjectClassNotFound,
    CompatibilityDateStale,
    SecretInVars,
    BindingMissingInEnvironment,
    PagesConfigInvalid,
    QueueConsumerWithoutDeadLetterQueue,
    AppNotDeployedByCi,
    SuppressionWithoutReason,
    QueueConsumedTwice,
    BindingNameConflict,
    LegacyConfigKey,
    BindingSectionRefused,
    DocHeaderInvalid,
    DocStale,
    DocVerifiedWithDrift,
    DocBrokenLink,
    DocCitationOutOfRange,
    DocLineCountDrift,
    DocSnippetMoved,
    DocConfigBlockDrift,
    DocNameDrift,
    DocNegativeClaimContradicted,
)
DRIFT_RULES = tuple(rule for rule in RULES if rule.id.startswith("DR"))

__all__ = ["DRIFT_RULES", "RULES", "Rule"]
