"""Supervision's tables: uses and their roll-up (usage), yearly school statistics and imported hours (stats),
and the rectification ledger (ledger)."""

from .ledger import RectificationAttachment, RectificationEvent, RectificationItem, RectificationStatus
from .stats import ImportedTrainingHours, SchoolPair, SchoolYearStats, Section
from .usage import (
    AREA_CHOICES,
    DailyUsage,
    MonthlyUsage,
    OfflinePlayCount,
    RollupState,
    SchoolAreaChange,
    UsageEvent,
    UsageKind,
)

__all__ = [
    "AREA_CHOICES",
    "DailyUsage",
    "ImportedTrainingHours",
    "MonthlyUsage",
    "OfflinePlayCount",
    "RectificationAttachment",
    "RectificationEvent",
    "RectificationItem",
    "RectificationStatus",
    "RollupState",
    "SchoolAreaChange",
    "SchoolPair",
    "SchoolYearStats",
    "Section",
    "UsageEvent",
    "UsageKind",
]
