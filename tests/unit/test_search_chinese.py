"""Chinese terms for engines that split only on spaces (pure functions)."""

from core.chinese import index_terms, query_terms


def test_words_inside_a_longer_title_become_terms():
    terms = index_terms("小学数学 分数的初步认识").split()
    assert {"数学", "分数", "初步", "认识"} <= set(terms)
    assert "的" not in terms


def test_pinyin_and_initials_are_indexed():
    terms = index_terms("分数的初步认识").split()
    assert "fenshu" in terms and "fs" in terms


def test_bigrams_cover_words_the_segmenter_misses():
    assert "快慢" in index_terms("运动的快慢").split()
    assert "的快" in index_terms("运动的快慢").split()


def test_colloquial_query_words_expand_to_the_curriculum_names():
    assert "八年级" in query_terms("初二物理")
    assert "统编版" in query_terms("部编版语文")
    assert "道德与法治" in query_terms("道法")
    assert "课件" in query_terms("分数 PPT")
    assert "教学设计" in query_terms("教案")


def test_taxonomy_aliases_are_used():
    assert "青岛版" in query_terms("青岛", aliases={"青岛": "青岛版"})


def test_latin_letters_are_kept_as_possible_pinyin():
    assert query_terms("fenshu") == ["fenshu"]
    assert query_terms("FS") == ["fs"]


def test_empty_and_emoji_queries_give_no_terms():
    assert query_terms("") == []
    assert query_terms("😀😀") == []
