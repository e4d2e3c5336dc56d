"""The spreadsheet vocabulary of members: column headers and the words staff write in the cells.

Headers and words are the file format staff fill in; they are Chinese whatever the interface language,
and deliberately not translated. Every choice column also accepts the codes and the labels of the
interface in each of its languages (``union_portal.imports.columns``).
"""

from __future__ import annotations

from ..models import HouseholdType, Sex, SkillGrade

NAME, ID_NUMBER, MOBILE, UNION, EMPLOYER = "姓名", "身份证号", "手机号", "所属工会", "工作单位"
JOB, SKILL, HOUSEHOLD, MIGRANT, JOIN_DATE = "岗位", "技能等级", "户籍类型", "是否农民工", "入会日期"
SEX, BIRTH_DATE, CARD, STATUS = "性别", "出生日期", "会员卡号", "状态"

MEMBER_REQUIRED = (NAME, ID_NUMBER, MOBILE, UNION)
MEMBER_OPTIONAL = (EMPLOYER, JOB, SKILL, HOUSEHOLD, MIGRANT, JOIN_DATE)
#: Columns of an export (derived or set by the system): accepted in an upload and ignored.
MEMBER_IGNORED = (SEX, BIRTH_DATE, CARD, STATUS, "序号", "备注")
MEMBER_EXPORT = (NAME, ID_NUMBER, MOBILE, SEX, BIRTH_DATE, UNION, EMPLOYER, JOB, SKILL, HOUSEHOLD, MIGRANT,
                 CARD, JOIN_DATE, STATUS)  # fmt: skip

SKILL_WORDS = {
    "初级": SkillGrade.JUNIOR, "五级": SkillGrade.JUNIOR, "中级": SkillGrade.INTERMEDIATE,
    "四级": SkillGrade.INTERMEDIATE, "高级": SkillGrade.SENIOR, "三级": SkillGrade.SENIOR,
    "二级": SkillGrade.TECHNICIAN, "一级": SkillGrade.SENIOR_TECHNICIAN, "无": SkillGrade.NONE,
}  # fmt: skip
#: The words an export writes (accepted on import too).
SKILL_LABELS = {
    SkillGrade.NONE: "", SkillGrade.JUNIOR: "初级工", SkillGrade.INTERMEDIATE: "中级工",
    SkillGrade.SENIOR: "高级工", SkillGrade.TECHNICIAN: "技师", SkillGrade.SENIOR_TECHNICIAN: "高级技师",
}  # fmt: skip
HOUSEHOLD_WORDS = {
    "本地户口": HouseholdType.LOCAL, "外地户籍": HouseholdType.NON_LOCAL, "外地户口": HouseholdType.NON_LOCAL,
    "非本地": HouseholdType.NON_LOCAL, "异地": HouseholdType.NON_LOCAL, "非本地户口": HouseholdType.NON_LOCAL,
    "local": HouseholdType.LOCAL, "non-local": HouseholdType.NON_LOCAL, "nonlocal": HouseholdType.NON_LOCAL,
}  # fmt: skip
HOUSEHOLD_LABELS = {HouseholdType.LOCAL: "本地", HouseholdType.NON_LOCAL: "外地"}
SEX_LABELS = {Sex.MALE: "男", Sex.FEMALE: "女"}
