"""Chinese for search engines that do not speak it.

Wagtail's database backend (SQLite FTS, PostgreSQL tsvector) splits text on
spaces and punctuation, so 「小学数学分数的初步认识」 is one token and 数学 or
分数 never match. We index extra terms beside the text - jieba words,
character bigrams, the pinyin of each word and its initials - and turn a
query into the same kind of terms, with synonyms teachers use. The same
terms help any engine find pinyin typed on a phone (fenshu, fs → 分数).
"""

import logging
import re
from functools import lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
# Function words that match everything and so rank nothing.
STOP_WORDS = {"的", "了", "和", "与", "及", "之", "在", "是", "一"}

# Words teachers use for the same thing (issue #7). Taxonomy aliases kept in
# the admin (部编版 for 统编版, 初二 for 八年级 …) are added at query time.
SYNONYMS = {
    "部编版": ["统编版"],
    "人教部编版": ["统编版"],
    "道法": ["道德与法治"],
    "思品": ["道德与法治"],
    "信息技术": ["信息科技"],
    "初一": ["七年级"],
    "初二": ["八年级"],
    "初三": ["九年级"],
    "教案": ["教学设计"],
    "ppt": ["课件"],
    "习题": ["评测练习", "练习"],
    "练习题": ["评测练习", "练习"],
    "课堂实录": ["课例", "优课"],
    "优质课": ["优课"],
    "生物": ["生物学"],
}


@lru_cache(maxsize=4096)
def _pinyin(word):
    syllables = lazy_pinyin(word)
    initials = lazy_pinyin(word, style=Style.FIRST_LETTER)
    return "".join(syllables), "".join(initials)


def _words(run):
    return [word for word in jieba.cut_for_search(run) if word.strip() and word not in STOP_WORDS]


def index_terms(text):
    """Extra terms to index for `text`: words, bigrams, pinyin and initials, space separated."""
    terms = []
    for run in CJK_RUN.findall(text or ""):
        words = _words(run)
        terms.extend(words)
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        for word in words:
            if len(word) >= 2:
                terms.extend(_pinyin(word))
    terms.extend(word.lower() for word in ASCII_WORD.findall(text or ""))
    return " ".join(dict.fromkeys(terms))


def query_terms(query, aliases=None):
    """The terms to look for: the query's own words and their synonyms.

    `aliases` maps extra colloquial names onto canonical ones (from the
    taxonomy). Unknown Latin letters are kept: they may be pinyin.
    """
    table = {**SYNONYMS, **{key: [value] for key, value in (aliases or {}).items()}}
    terms = []
    for run in CJK_RUN.findall(query):
        words = _words(run) or [run]
        if len(run) <= 4 and run not in words:
            words.insert(0, run)  # a short query is usually one word jieba does not know
        terms.extend(words)
        for word in [run, *words]:
            terms.extend(table.get(word, []))
    for word in ASCII_WORD.findall(query):
        terms.append(word.lower())
        terms.extend(table.get(word.lower(), []))
    return list(dict.fromkeys(terms))
