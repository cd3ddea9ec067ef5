"""The platform's roles: one Keycloak realm role = one Wagtail group.

The group names are what people see in the admin, so they are Chinese;
the keys are the realm role names the identity provider sends.
"""

ROLE_GROUPS = {
    "teacher": "教师",
    "school_reviewer": "校级审核员",
    "district_reviewer": "区级审核员",
    "trainer": "培训管理员",
    "district_admin": "区级管理员",
}

# Every role works in the Wagtail admin (teachers publish lessons there).
ADMIN_ACCESS = ("wagtailadmin", "access_admin")
