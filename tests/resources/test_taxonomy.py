"""The curriculum seed loads idempotently and colloquial names map onto it."""

import pytest

from resources import taxonomy_loader, vocabulary
from resources.models import Edition, Grade, KnowledgeNode, Subject, Textbook
from tests.conftest import CURRICULUM_FIXTURE

pytestmark = pytest.mark.django_db


def test_loading_twice_changes_nothing(curriculum):
    before = (Textbook.objects.count(), KnowledgeNode.objects.count(), Subject.objects.count())
    taxonomy_loader.load_all(CURRICULUM_FIXTURE)
    assert (Textbook.objects.count(), KnowledgeNode.objects.count(), Subject.objects.count()) == before
    assert before[1] == 11


def test_colloquial_names_map_to_the_curriculum(curriculum):
    assert vocabulary.edition("部编版") == Edition.objects.get(name="统编版")
    assert vocabulary.grade("初二") == Grade.objects.get(name="八年级")
    assert vocabulary.subject("道法") == Subject.objects.get(name="道德与法治")
    assert Subject.objects.get(name="音乐").parent.name == "艺术"


def test_unknown_grade_is_an_error_not_a_new_grade(curriculum):
    with pytest.raises(vocabulary.UnknownValue, match="十年级"):
        vocabulary.grade("十年级")
    assert not Grade.objects.filter(name="十年级").exists()


def test_unknown_edition_is_created_with_an_ascii_code(curriculum):
    created = vocabulary.edition("青岛版")
    assert created.code == "qing-dao-ban"
    assert vocabulary.edition("青岛版") == created


def test_same_lesson_in_other_editions(curriculum):
    renjiao = KnowledgeNode.objects.get(title="几分之一")
    others = list(renjiao.other_editions())
    assert [node.title for node in others] == ["分一分（一）"]
    assert others[0].unit.textbook.edition.name == "北师大版"
    assert not KnowledgeNode.objects.get(title="几分之几").other_editions().exists()
