"""How a person's name is written: Chinese names family name first, with no space.

Django's User.get_full_name() gives "given family" ("芳 王"), which every
Wagtail list, the dashboard and the site header then show. Pure code: the
app config installs `full_name` as User.get_full_name, so every caller gets 王芳.
"""

import re

# CJK Unified Ideographs and Extension A: the characters of Chinese names.
_CJK = re.compile(r"[\u3400-\u9fff]")


def full_name(first_name, last_name):
    """王芳 for Chinese names (family name first, no space); "Ada Lovelace" for others."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if _CJK.search(first + last):
        return last + first
    return f"{first} {last}".strip()


def get_full_name(user):
    """The method installed on the user model (see SsoConfig.ready)."""
    return full_name(user.first_name, user.last_name)
