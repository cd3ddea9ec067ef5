from .lessons import (
    REQUIRED_PARTS,
    AwardLevel,
    LessonIndexPage,
    LessonPackagePage,
    Licence,
    PackagePart,
    PartKind,
    ResourceFile,
    ResourcePage,
    ResourceType,
)
from .review import DistrictReviewTask, SchoolReviewTask
from .rules import ReviewRules
from .schools import School
from .taxonomy import CrossEditionGroup, Edition, Grade, KnowledgeNode, Stage, Subject, Textbook, Unit

__all__ = [
    "REQUIRED_PARTS",
    "AwardLevel",
    "LessonIndexPage",
    "LessonPackagePage",
    "Licence",
    "PackagePart",
    "PartKind",
    "ResourceFile",
    "ResourcePage",
    "ResourceType",
    "ReviewRules",
    "CrossEditionGroup",
    "Edition",
    "Grade",
    "KnowledgeNode",
    "School",
    "DistrictReviewTask",
    "SchoolReviewTask",
    "Stage",
    "Subject",
    "Textbook",
    "Unit",
]
