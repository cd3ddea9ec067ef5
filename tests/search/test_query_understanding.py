"""Pure logic: engine analysis settings, pinyin splitting, what a query asks for."""

import pytest

from core.chinese import pinyin_spans, query_groups, query_terms, split_pinyin, without_fillers
from search import analysis


def test_each_engine_is_asked_for_its_best_chinese_analysis(monkeypatch):
    from youke.settings import services

    monkeypatch.setenv("SEARCH_URL", "http://127.0.0.1:9200")
    monkeypatch.delenv("SEARCH_CHINESE_ANALYSIS", raising=False)
    default = services.search()["default"]["INDEX_SETTINGS"]["settings"]["analysis"]["analyzer"]["default"]
    assert default["tokenizer"] == "smartcn_tokenizer"
    monkeypatch.setenv("SEARCH_ENGINE", "elasticsearch")
    assert analysis.chinese_in(services.search()["default"]["INDEX_SETTINGS"]) == "cjk"
    monkeypatch.setenv("SEARCH_CHINESE_ANALYSIS", "klingon")
    with pytest.raises(ValueError, match="SEARCH_CHINESE_ANALYSIS"):
        services.search()


def test_analysis_steps_down_to_what_the_engine_has():
    wagtail_like = {"settings": {"analysis": {"analyzer": {"ngram_analyzer": {"filter": ["ngram"]}}}}}
    wanted = {"settings": {"analysis": {**analysis.index_settings("smartcn")["settings"]["analysis"]}}}
    wanted["settings"]["analysis"]["analyzer"].update(wagtail_like["settings"]["analysis"]["analyzer"])

    everything, chosen = analysis.fit(wanted, lambda name: True)
    assert chosen == "smartcn" and everything == wanted

    no_plugin, chosen = analysis.fit(wanted, lambda name: name != "smartcn")
    assert chosen == "cjk"
    assert "cjk_bigram" in no_plugin["settings"]["analysis"]["analyzer"]["default"]["filter"]

    core_only, chosen = analysis.fit(wanted, lambda name: name == "bigram")
    analyzers = core_only["settings"]["analysis"]["analyzer"]
    assert chosen == "bigram" and analyzers["default_search"]["filter"] == ["lowercase", "youke_pairs_only"]
    assert analyzers["ngram_analyzer"]["filter"] == ["lowercase"], "Wagtail's ngram filters need analysis-common"
    assert wanted["settings"]["analysis"]["analyzer"]["default"]["tokenizer"] == "smartcn_tokenizer", "not mutated"


def test_pinyin_typed_without_spaces_is_split_into_syllables():
    assert split_pinyin("oumudinglv") == ("ou", "mu", "ding", "lv")
    assert split_pinyin("ppt") == ()
    assert {"oumu", "dinglv"} <= set(pinyin_spans("oumudinglv"))
    assert pinyin_spans("fenshu") == []  # the word itself is already a term


def test_homophone_typos_share_pinyin_with_the_right_word():
    assert "oumu" in query_terms("欧母定律"), "欧母 sounds like 欧姆"
    assert "yundongdekuaiman" in query_terms("运动的快漫")


def test_question_words_are_not_searched():
    assert without_fillers("我想找一节关于运动快慢的") == "运动快慢"
    assert query_groups("我想找一节运动快慢的课") == [["运动"], ["快慢"]]
    assert "我想" not in query_terms("我想找一节运动快慢的课")


def test_curriculum_words_are_words():
    assert ["九年级"] in query_groups("九年级物理") and ["物理"] in query_groups("九年级物理")
