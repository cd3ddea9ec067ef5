from .competencies import MicroCompetency
from .pages import (
    LESSON_MODELS,
    AssignmentLessonPage,
    CoursePage,
    DocumentLessonPage,
    LessonPage,
    ModulePage,
    QuizLessonPage,
    ResourceLessonPage,
    TrainingIndexPage,
    VideoLessonPage,
)
from .records import (
    AssignmentSubmission,
    Certificate,
    Enrollment,
    LessonProgress,
    QuizAttempt,
    StudyHoursEntry,
    VideoProgress,
)

__all__ = [
    "LESSON_MODELS",
    "AssignmentLessonPage",
    "AssignmentSubmission",
    "Certificate",
    "CoursePage",
    "DocumentLessonPage",
    "Enrollment",
    "LessonPage",
    "LessonProgress",
    "MicroCompetency",
    "ModulePage",
    "QuizAttempt",
    "QuizLessonPage",
    "ResourceLessonPage",
    "StudyHoursEntry",
    "TrainingIndexPage",
    "VideoLessonPage",
    "VideoProgress",
]
