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
import threading
from functools import lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
# Function words that match everything and so rank nothing.
STOP_WORDS = {"的", "了", "和", "与", "及", "之", "在", "是", "一"}
MAX_PINYIN_RUN = 8  # longer runs are sentences, nobody types them in pinyin
# Words of a question that say nothing about what is wanted ("我想找一节…的课").
QUERY_FILLERS = {
    "我", "想", "找", "要", "求", "给", "用", "讲", "上", "有", "没有", "有没有", "请问", "怎样", "怎么",
    "如何", "一节", "一份", "一个", "一些", "这节", "这篇", "这节课", "课文", "关于", "学生", "老师", "需要", "哪里",
    "相关", "资料", "资源", "一下", "上册", "下册", "全一册", "上学期", "下学期",
    "课", "节课", "这一课",
}  # fmt: skip

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


# Curriculum words jieba's dictionary splits wrongly (九年级 → 九年 / 级) or does not know.
CURRICULUM_WORDS = [
    *(f"{n}年级" for n in "一二三四五六七八九"), "初一", "初二", "初三", "上册", "下册", "全一册",
    "道德与法治", "道法", "信息科技", "信息技术", "生物学", "体育与健康", "综合实践活动",
    "统编版", "部编版", "人教版", "北师大版", "苏教版", "外研版", "沪教版", "人教PEP版",
    "教学设计", "评测练习", "课堂实录", "微课", "课件", "教案", "习题", "优课", "优质课", "公开课", "学案",
]  # fmt: skip
_dictionary_ready = False
_dictionary_lock = threading.Lock()


def load_dictionary():
    """Load jieba's dictionary (a second or two) and our words; search.apps starts it in the background."""
    global _dictionary_ready
    with _dictionary_lock:
        if not _dictionary_ready:
            jieba.initialize()
            for word in CURRICULUM_WORDS:
                jieba.add_word(word, freq=200_000)
            _dictionary_ready = True


def _words(run):
    if not _dictionary_ready:
        load_dictionary()
    return [word for word in jieba.cut_for_search(run) if word.strip() and word not in STOP_WORDS]


def _query_words(run):
    return [word for word in _words(run) if word not in QUERY_FILLERS]


def without_fillers(text):
    """`text` without the words of a question ("我想找一节关于运动快慢的" → "运动快慢")."""
    kept = []
    for piece in re.split(r"(\s+)", text or ""):
        if not CJK_RUN.fullmatch(piece):
            kept.append(piece)
            continue
        words = [word for word in jieba.cut(piece) if word not in QUERY_FILLERS]
        while words and words[0] in STOP_WORDS:
            words.pop(0)
        while words and words[-1] in STOP_WORDS:
            words.pop()
        kept.append("".join(words))
    return " ".join("".join(kept).split())


@lru_cache(maxsize=1)
def _syllables():
    """Every pinyin syllable (about 410), read from pypinyin once."""
    text = "".join(chr(code) for code in range(0x4E00, 0x9FA6))
    return frozenset(lazy_pinyin(text, errors="ignore"))


@lru_cache(maxsize=1024)
def split_pinyin(word):
    """'oumudinglv' → ('ou', 'mu', 'ding', 'lv'); () if `word` is not pinyin. Fewest syllables wins."""
    word = word.lower()
    if not word.isalpha() or len(word) > 40:
        return ()
    syllables = _syllables()
    best = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] is not None and word[start:end] in syllables:
                candidate = (*best[start], word[start:end])
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[-1] or ()


def pinyin_spans(word):
    """The index's pinyin words inside a pinyin query: 'oumudinglv' → oumu, dinglv, oumuding, …"""
    syllables = split_pinyin(word)
    if len(syllables) < 2:
        return []
    spans = []
    for size in (2, 3, 4):
        spans.extend("".join(syllables[i : i + size]) for i in range(len(syllables) - size + 1))
    return [span for span in dict.fromkeys(spans) if span != word.lower()]


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
        if 2 < len(run) <= MAX_PINYIN_RUN:
            # A short title typed whole in pinyin or initials (yundongdekuaiman, yddkm).
            terms.extend(_pinyin(run))
    terms.extend(word.lower() for word in ASCII_WORD.findall(text or ""))
    return " ".join(dict.fromkeys(terms))


def query_groups(query, aliases=None):
    """The query's words, each with the words that mean the same: [{"初二", "八年级"}, {"物理"}].

    `aliases` maps extra colloquial names onto canonical ones (from the
    taxonomy). Unknown Latin letters are kept: they may be pinyin.
    """
    table = {**SYNONYMS, **{key: [value] for key, value in (aliases or {}).items()}}
    groups = []
    for run in CJK_RUN.findall(query or ""):
        words = _query_words(run)
        if run in table or len(_words(run)) <= 1:
            words = [run]  # a known colloquial name, or one word jieba does not split
        for word in words:
            if any(word in other for other in words if len(other) > len(word)):
                continue  # a piece of a longer word of the same query (cut_for_search gives both)
            groups.append([word, *table.get(word, [])])
    for word in ASCII_WORD.findall(query or ""):
        groups.append([word.lower(), *table.get(word.lower(), []), *pinyin_spans(word)])
    return groups


def query_terms(query, aliases=None):
    """The terms to look for: the query's own words and their synonyms, and the
    bigrams of longer runs (so one mistyped character costs one pair, not the word)."""
    table = {**SYNONYMS, **{key: [value] for key, value in (aliases or {}).items()}}
    terms = []
    for run in CJK_RUN.findall(query or ""):
        words = _query_words(run)
        if not words and _words(run):
            continue  # nothing but filler words (我想找一节)
        words = words or [run]
        if len(run) <= 4 and run not in words:
            words.insert(0, run)  # a short query is usually one word jieba does not know
        terms.extend(words)
        for word in [run, *words]:
            terms.extend(table.get(word, []))
        if 2 < len(run) <= MAX_PINYIN_RUN:
            # Pairs of a title-length run: one mistyped character costs one pair, not the word.
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        # Pinyin of what was typed finds the word an input method got wrong (欧母定律 → oumu dinglv).
        terms.extend(_pinyin(word)[0] for word in words if len(word) >= 2 and word not in table)
        if 2 < len(run) <= MAX_PINYIN_RUN:
            terms.append(_pinyin(run)[0])
    for word in ASCII_WORD.findall(query or ""):
        terms.append(word.lower())
        terms.extend(table.get(word.lower(), []))
        terms.extend(pinyin_spans(word))
    return [term for term in dict.fromkeys(terms) if term not in STOP_WORDS and term not in QUERY_FILLERS]
