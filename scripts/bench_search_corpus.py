"""A deterministic demo corpus for the search benchmark, in `import_resources` JSONL.

Every lesson of the curriculum seed (resources/curriculum/textbooks) plus a
few lessons of subjects the seed lacks (道德与法治, 信息科技, 生物学, 历史)
gets a lesson package and one or two standalone resources, with the titles
teachers really give them ("八年级物理 运动的快慢", "《济南的冬天》教学设计",
"运动的快慢（第1课时）"), some without any type word. `copies` > 1 adds
variants (other teachers, schools, title styles) for the 10,000-item
latency corpus. No randomness: the same arguments give the same bytes.

Also the judge: `grade(record, query)` is the graded relevance (2 best, 1
relevant, 0 not) of a corpus record for a judged query of
scripts/search_queries.json, from the record's metadata only.
"""

import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXTBOOKS = ROOT / "resources" / "curriculum" / "textbooks"

SCHOOLS = ["城关第一小学", "城关第二初级中学", "青山乡中心小学", "青山乡初级中学", "河西镇中心小学"]
PRIMARY_SCHOOLS = [SCHOOLS[0], SCHOOLS[2], SCHOOLS[4]]
JUNIOR_SCHOOLS = [SCHOOLS[1], SCHOOLS[3]]
TEACHERS = [
    "王芳",
    "李强",
    "张敏",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
    "周杰",
    "吴霞",
    "徐明",
    "孙悦",
    "郭亮",
    "何琳",
]
AWARDS = ["", "校级优课", "", "区级优课", "", "", "市级优课", "校级优课", "", "省级优课"]
RESOURCE_TYPES = ["courseware", "teaching_design", "exercise", "micro_lesson", "material"]
TYPE_WORDS = {
    "courseware": ["课件", "PPT课件", "教学课件"],
    "teaching_design": ["教学设计", "教案", "教学设计与反思"],
    "exercise": ["课后练习", "评测练习", "同步练习题"],
    "micro_lesson": ["微课", "微课视频"],
    "material": ["教学素材", "素材包"],
}
# Numbering before a lesson's name: 第3节, 1.1, 13.1, 一、 (never the 三 of 三角形 or the 2 of 2~6的乘法口诀).
NUMBERING = re.compile(r"^(第[一二三四五六七八九十\d]+[节课章]\s*|\d+(\.\d+)*\s+|[一二三四五六七八九十]+[、\s]\s*)")

# Lessons of subjects the seed curriculum has no textbook for (created by the import).
EXTRA = [
    ("统编版", "道德与法治", "初中", "七年级", "上册", "第一单元 少年有梦", ["中学时代", "少年有梦"]),
    ("统编版", "道德与法治", "初中", "七年级", "上册", "第二单元 友谊的天空", ["和朋友在一起", "深深浅浅话友谊"]),
    ("统编版", "道德与法治", "初中", "八年级", "上册", "第二单元 遵守社会规则", ["社会生活离不开规则", "遵守规则"]),
    ("统编版", "道德与法治", "小学", "三年级", "上册", "第一单元 快乐学习", ["学习伴我成长", "我学习，我快乐"]),
    ("浙教版", "信息科技", "初中", "七年级", "上册", "第一单元 数据与编码", ["数据与编码", "二进制编码"]),
    ("浙教版", "信息科技", "初中", "七年级", "上册", "第二单元 用计算机编程解决问题", ["算法与程序", "用Python编程"]),
    ("浙教版", "信息科技", "小学", "四年级", "上册", "第一单元 在线学习", ["在线学习与生活", "网络安全"]),
    ("人教版", "生物学", "初中", "七年级", "上册", "第二单元 生物体的结构层次", ["细胞的生活", "植物细胞", "动物细胞"]),
    ("人教版", "生物学", "初中", "七年级", "上册", "第三单元 生物圈中的绿色植物", ["光合作用", "绿色植物的呼吸作用"]),
    ("统编版", "历史", "初中", "七年级", "上册", "第二单元 夏商周时期", ["百家争鸣", "秦统一中国"]),
]


def topic_of(lesson):
    """'第3节 运动的快慢' → '运动的快慢'; '13.1 三角形的概念' → '三角形的概念'."""
    return NUMBERING.sub("", lesson).strip() or lesson


def lessons():
    """Every lesson node: dicts with edition, subject, stage, grade, volume, unit, lesson, topic."""
    found = []
    for path in sorted(TEXTBOOKS.glob("*.json")):
        book = json.loads(path.read_text(encoding="utf-8"))
        for volume in book["volumes"]:
            for unit in volume["units"]:
                for lesson in unit["lessons"]:
                    found.append(
                        {"edition": book["edition"], "subject": book["subject"], "stage": book["stage"],
                         "grade": volume["grade"], "volume": volume["volume"], "unit": unit["title"],
                         "lesson": lesson, "topic": topic_of(lesson)}
                    )  # fmt: skip
    for edition, subject, stage, grade, volume, unit, titles in EXTRA:
        for lesson in titles:
            found.append(
                {"edition": edition, "subject": subject, "stage": stage, "grade": grade, "volume": volume,
                 "unit": unit, "lesson": lesson, "topic": lesson}
            )  # fmt: skip
    return found


def _pick(options, *keys):
    digest = hashlib.sha256("|".join(map(str, keys)).encode()).digest()
    return options[digest[0] % len(options)]


def _package_title(node, copy):
    style = _pick(range(6), node["lesson"], node["grade"], copy, "title")
    topic = node["topic"]
    return [
        topic,
        f"{node['grade']}{node['subject']} {topic}",
        f"《{topic}》",
        f"{topic}（第1课时）",
        f"{node['edition']}{node['grade']}{node['volume']} {topic}",
        f"{topic} 公开课",
    ][style]


def _resource_title(node, kind, copy):
    topic = node["topic"]
    style = _pick(range(4), node["lesson"], kind, copy, "resource")
    if style == 0:
        return topic  # the type is only in the type field, not in the title
    word = _pick(TYPE_WORDS[kind], node["lesson"], copy, "word")
    return [f"{topic} {word}", f"《{topic}》{word}", f"{node['grade']}{node['subject']}《{topic}》{word}"][style - 1]


def _record(node, number, copy, kind, title):
    school = _pick(PRIMARY_SCHOOLS if node["stage"] == "小学" else JUNIOR_SCHOOLS, number, copy, "school")
    teacher = _pick(TEACHERS, number, copy, "teacher")
    record = {
        "id": f"bench-{copy:02d}-{number:05d}",
        "title": title,
        "resource_type": kind,
        "stage": node["stage"],
        "grade": node["grade"],
        "subject": node["subject"],
        "edition": node["edition"],
        "volume": node["volume"],
        "unit": node["unit"],
        "lesson": node["lesson"],
        "description": f"{node['edition']}{node['subject']}{node['grade']}{node['volume']}{node['unit']}"
        f"《{node['topic']}》，{school}{teacher}老师执教。",
        "keywords": [node["topic"], node["subject"]],
        "teacher": teacher,
        "school": school,
        "published": number % 29 != 13,  # a few drafts, which must never be found
    }
    if kind == "lesson_package":
        record["award_level"] = _pick(AWARDS, number, copy, "award")
    return record


def generate(copies=1):
    """The corpus records, in import order."""
    records = []
    number = 0
    for copy in range(copies):
        for index, node in enumerate(lessons()):
            records.append(_record(node, number, copy, "lesson_package", _package_title(node, copy)))
            number += 1
            # Two kinds of resource for every lesson, a third for every third lesson.
            kinds = [RESOURCE_TYPES[(index + copy + step) % len(RESOURCE_TYPES)] for step in (0, 2)]
            if index % 3 == 0:
                kinds.append(RESOURCE_TYPES[(index + copy + 4) % len(RESOURCE_TYPES)])
            for kind in kinds:
                records.append(_record(node, number, copy, kind, _resource_title(node, kind, copy)))
                number += 1
    return records


def write(path, copies=1, limit=None):
    records = generate(copies)[:limit]
    Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return len(records)


# --- The judge


def _matches(record, criteria):
    topic = topic_of(record["lesson"])
    for key, wanted in criteria.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if key == "topic" and topic not in values:
            return False
        if key == "topic_has" and not all(value in topic for value in values):
            return False
        if key == "unit_has" and not all(value in record["unit"] for value in values):
            return False
        if key in ("subject", "grade", "edition") and record[key] not in values:
            return False
        if key == "type" and record["resource_type"] not in values:
            return False
    return True


def grade(record, query):
    """2 if the record is what the query asks for, 1 if it is on topic, else 0; drafts are 0."""
    if not record.get("published", True):
        return 0
    if _matches(record, query["best"]):
        return 2
    return 1 if query.get("relevant") and _matches(record, query["relevant"]) else 0
