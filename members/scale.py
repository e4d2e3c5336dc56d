"""The members app's part of the scale data (:mod:`union_portal.core.scale`): the district's tree and
its N members.

* the district federation, its seven towns and streets and two industry federations;
* about N/40 enterprises (heavy-tailed headcounts, valid and distinct credit codes), 92% of them
  with a grassroots union, 15% of those with workshop branches, a fifth of the branches with groups;
* N members spread over the unions by enterprise size: valid, distinct ID numbers (birth dates
  over forty years, local and migrant counties, the household type following the county),
  the ID number encrypted and its blind index computed exactly as the app does, pinyin keys,
  mobiles, jobs, skill grades, channels, statuses (about 90% active with card numbers from the
  card counter, the rest pending, lapsed, withdrawn, rejected or deceased, with their dates);
* the history the app keeps: one ``+`` row per member, enterprise and organisation in the
  django-simple-history tables, and one membership event per member (applied, registered or
  imported) plus the closing event of each ended membership.

The tree belongs to the platform (``union_portal.organisations``) but is built here, with the members
it is shaped for. The same seed gives the same district (only the Fernet ciphertexts differ).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time

from django.db import connection
from django.utils import timezone

from members.fakes import (
    LOCAL_COUNTIES,
    MIGRANT_COUNTIES,
    fake_credit_code,
    fake_mobile,
    fake_name,
    id_number,
)
from members.models import Channel, HouseholdType, Member, MembershipEvent, MemberStatus, SkillGrade
from members.services import id_number_key, make_card_numbers, name_search_keys
from union_portal.core.bulkload import CopySink, RowWriter, bulk_load, reset_sequences
from union_portal.core.crypto import encrypt
from union_portal.organisations.models import Enterprise, Industry, Organisation, OrganisationKind, Ownership

#: What this part writes: emptied by ``generate_scale --reset`` (with what refers to it) and analysed after.
MODELS = (
    Member.history.model,
    MembershipEvent,
    Member,
    Organisation.history.model,
    Enterprise.history.model,
    Organisation,
    Enterprise,
)


def build(ctx) -> dict:
    """The tree, the enterprises and the members; ``ctx.enterprises`` overrides N/40."""
    return Generator(members=ctx.members, seed=ctx.seed, enterprises=ctx.enterprises, log=ctx.log).run()


TOWNS = [  # (name, share of enterprises)
    ("西南街道", 0.30),
    ("乐平镇", 0.20),
    ("白坭镇", 0.12),
    ("云东海街道", 0.12),
    ("大塘镇", 0.10),
    ("芦苞镇", 0.08),
    ("南山镇", 0.08),
]
INDUSTRY_FEDERATIONS = [
    ("三水区家具行业工会联合会", Industry.FURNITURE),
    ("三水区陶瓷行业工会联合会", Industry.CERAMICS),
]
BRANDS = "健力宝新明珠名洲华丰金盛宏达永利南方恒信嘉美顺发兴业粤海广华泰和富强东方鸿运联邦宝丽"
INDUSTRY_WORDS = {
    Industry.MANUFACTURING: "制造",
    Industry.CERAMICS: "建陶",
    Industry.TEXTILES: "纺织",
    Industry.FOOD: "饮料",
    Industry.FURNITURE: "家具",
    Industry.ELECTRONICS: "电器",
    Industry.LOGISTICS: "物流",
    Industry.CONSTRUCTION: "建筑工程",
    Industry.RETAIL: "商贸",
    Industry.SERVICES: "物业服务",
    Industry.PUBLIC: "事业",
    Industry.OTHER: "实业",
}
INDUSTRY_WEIGHTS = [30, 12, 10, 6, 8, 10, 7, 5, 5, 4, 2, 1]
JOBS = [
    "操作工",
    "质检员",
    "叉车司机",
    "焊工",
    "仓管员",
    "行政文员",
    "销售",
    "技术员",
    "电工",
    "厨师",
    "司机",
    "保安",
    "班组长",
]
STATUSES = [  # (status, share)
    (MemberStatus.ACTIVE, 0.900),
    (MemberStatus.PENDING, 0.030),
    (MemberStatus.LAPSED, 0.040),
    (MemberStatus.WITHDRAWN, 0.020),
    (MemberStatus.REJECTED, 0.006),
    (MemberStatus.DECEASED, 0.004),
]
CHANNELS = [
    (Channel.IMPORT, 60),
    (Channel.OFFICER, 25),
    (Channel.PORTAL, 10),
    (Channel.PROXY, 3),
    (Channel.API, 2),
]
SKILLS = [
    (SkillGrade.NONE, 50),
    (SkillGrade.JUNIOR, 20),
    (SkillGrade.INTERMEDIATE, 15),
    (SkillGrade.SENIOR, 10),
    (SkillGrade.TECHNICIAN, 4),
    (SkillGrade.SENIOR_TECHNICIAN, 1),
]
END_KINDS = {
    MemberStatus.LAPSED: MembershipEvent.Kind.LAPSED,
    MemberStatus.WITHDRAWN: MembershipEvent.Kind.WITHDRAWN,
    MemberStatus.DECEASED: MembershipEvent.Kind.DECEASED,
}
WITH_CARD = {MemberStatus.ACTIVE, MemberStatus.LAPSED, MemberStatus.WITHDRAWN, MemberStatus.DECEASED}

# ID numbers: county x birth day x sequence. Forty years of birth days (1966-2005) and fourteen
# counties give 204,400 cells of up to 500 sequence numbers each: 102 million distinct numbers.
_COUNTIES = LOCAL_COUNTIES + MIGRANT_COUNTIES
_LOCAL = frozenset(LOCAL_COUNTIES)
_BIRTH_BASE = dt.date(1966, 1, 1)
_BIRTH_DAYS = 14_600
#: First index of the numbers benchmarks use for import files: never issued by ``generate_scale``.
IMPORT_ID_START = 50_000_000


def scale_id_number(index: int, male: bool) -> str:
    """The ``index``-th valid ID number: distinct for distinct indexes below 102,200,000.

    ``members.fakes.unique_id_numbers`` walks the sequence number first, which puts the birth dates
    of a million people into the first months of 1966; this walks county, then birth day, then
    sequence, so that any range of indexes spreads over forty years of birth dates.
    """
    county = _COUNTIES[index % len(_COUNTIES)]
    rest = index // len(_COUNTIES)
    # 7919 is prime to 14,600: consecutive indexes jump across the forty years, each day once per sequence.
    day, seq = rest * 7919 % _BIRTH_DAYS, rest // _BIRTH_DAYS
    if seq >= 500:
        raise ValueError("ID number index out of range")
    return id_number(county, _BIRTH_BASE + dt.timedelta(days=day), seq, male)


def county_is_local(number: str) -> bool:
    return number[:6] in _LOCAL


class _Chooser:
    """``random.choices`` with precomputed cumulative weights."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.values = [v for v, _w in pairs]
        total, self.cum = 0.0, []
        for _v, w in pairs:
            total += w
            self.cum.append(total)

    def __call__(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum)[0]


class Generator:
    def __init__(self, *, members: int, seed: int, enterprises: int | None = None, log=print):
        self.n = members
        self.seed = seed
        self.n_enterprises = enterprises or max(1, math.ceil(members / 40))
        self.rng = random.Random(seed)
        self.log = log
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.pinyin: dict[str, tuple[str, str]] = {}
        self.counts = {"members": 0, "enterprises": 0, "organisations": 0, "events": 0}
        self.union_enterprise: dict[int, int] = {}  # member union (grassroots, branch, group) -> employer

    def run(self) -> dict:
        t = time.perf_counter()
        unions, weights = self.build_tree()
        self.log(f"tree: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        self.build_members(unions, weights)
        self.log(f"members: {time.perf_counter() - t:.1f} s")
        return self.counts

    def _aware(self, day: dt.date, seconds: int = 9 * 3600) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds))

    def _history(self, row: dict, when: dt.datetime) -> dict:
        return {**row, "history_date": when, "history_type": "+", "history_change_reason": None}

    # -- organisations and enterprises --
    def build_tree(self):
        rng = self.rng
        org_w = RowWriter(Organisation)
        org_h = RowWriter(Organisation.history.model, skip={"history_id"})
        ent_w = RowWriter(Enterprise)
        ent_h = RowWriter(Enterprise.history.model, skip={"history_id"})
        next_org = [0]
        created = self._aware(dt.date(2014, 1, 1))

        nodes: dict[int, dict] = {}

        def add_org(parent: dict | None, name: str, kind: str, **extra) -> dict:
            next_org[0] += 1
            if parent is None:
                path, depth = Organisation._get_path(None, 1, next_org[0]), 1
            else:
                parent["numchild"] += 1
                depth = parent["depth"] + 1
                path = Organisation._get_path(parent["path"], depth, parent["numchild"])
            node = {
                "id": next_org[0],
                "path": path,
                "depth": depth,
                "numchild": 0,
                "name": name,
                "kind": kind,
                "enterprise_id": None,
                "chair_name": "",
                "phone": "",
                "address": "",
                "established_on": None,
                "is_active": True,
                **extra,
            }
            nodes[node["id"]] = node
            return node

        district = add_org(None, "三水区总工会", OrganisationKind.DISTRICT, address="佛山市三水区西南街道")
        towns = [(add_org(district, f"{name}总工会", OrganisationKind.TOWN), share) for name, share in TOWNS]
        federations = {
            industry: add_org(district, name, OrganisationKind.INDUSTRY)
            for name, industry in INDUSTRY_FEDERATIONS
        }
        town_choice = _Chooser(towns)
        industry_choice = _Chooser(zip(Industry.values, INDUSTRY_WEIGHTS, strict=True))
        ownership_choice = _Chooser(
            [
                (Ownership.PRIVATE, 70),
                (Ownership.FOREIGN, 12),
                (Ownership.STATE, 8),
                (Ownership.COLLECTIVE, 5),
                (Ownership.PUBLIC_INSTITUTION, 5),
            ]
        )
        codes: set[str] = set()
        names: set[str] = set()
        unions: list[int] = []  # member unions (grassroots, branches, groups)
        weights: list[float] = []
        union_children: dict[int, list[int]] = {}
        for e in range(1, self.n_enterprises + 1):
            town = town_choice(rng)
            industry = industry_choice(rng)
            while True:
                code = fake_credit_code(rng)
                if code not in codes:
                    codes.add(code)
                    break
            for attempt in range(20):  # enterprise (and so union) names are distinct, as in a real district
                brand = "".join(rng.sample(BRANDS, 2 if attempt < 5 else 3))
                name = f"佛山市三水{brand}{INDUSTRY_WORDS[industry]}有限公司"
                if industry == Industry.PUBLIC:
                    name = f"三水区{town['name'][:-3]}{brand}中心"
                if name not in names:
                    break
            else:
                name = f"{name[:-4]}{e}有限公司"
            names.add(name)
            size = min(int(rng.lognormvariate(3.2, 1.0)) + 3, 20_000)
            unionised = rng.random() < 0.92
            ent = {
                "id": e,
                "name": name,
                "credit_code": code,
                "industry": industry,
                "ownership": ownership_choice(rng),
                "town_id": town["id"],
                "headcount": size,
                "address": f"{town['name'][:-3]}{rng.randint(1, 300)}号",
                "is_active": rng.random() > 0.01,
            }
            ent_w.add(ent)
            ent_h.add(self._history(ent, created))
            if not unionised:
                continue
            parent = town
            if industry in federations and rng.random() < 0.3:
                parent = federations[industry]
            union = add_org(
                parent,
                f"{name}工会委员会",
                OrganisationKind.GRASSROOTS,
                enterprise_id=e,
                chair_name=fake_name(rng),
                phone=fake_mobile(rng),
                established_on=dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 9000)),
            )
            member_share = rng.uniform(0.8, 1.0)
            members_here = size * member_share
            children = []
            self.union_enterprise[union["id"]] = e
            if size >= 60 and rng.random() < 0.15:
                for b in range(rng.randint(1, 4)):
                    branch = add_org(union, f"第{b + 1}车间分会", OrganisationKind.BRANCH)
                    children.append(branch["id"])
                    self.union_enterprise[branch["id"]] = e
                    if rng.random() < 0.2:
                        for g in range(rng.randint(1, 2)):
                            group = add_org(branch, f"第{g + 1}工会小组", OrganisationKind.GROUP)
                            children.append(group["id"])
                            self.union_enterprise[group["id"]] = e
            # Members of a union with branches: 40% in the union itself, the rest spread below.
            if children:
                unions.append(union["id"])
                weights.append(members_here * 0.4)
                for child in children:
                    unions.append(child)
                    weights.append(members_here * 0.6 / len(children))
            else:
                unions.append(union["id"])
                weights.append(members_here)
            union_children[union["id"]] = children
        ent_w.flush()
        ent_h.flush()
        for node in nodes.values():
            org_w.add(node)
            org_h.add(self._history(node, created))
        org_w.flush()
        org_h.flush()
        reset_sequences([Enterprise, Organisation])
        self.counts["enterprises"] = ent_w.written
        self.counts["organisations"] = org_w.written
        return unions, weights

    # -- members --
    def build_members(self, unions: list[int], weights: list[float]) -> None:
        cum, total = [], 0.0
        for w in weights:
            total += w
            cum.append(total)
        tables = [m._meta.db_table for m in (Member, Member.history.model, MembershipEvent)]
        with bulk_load(tables, log=self.log):
            sink = CopySink() if connection.vendor == "postgresql" else None
            try:
                self._build_members(unions, cum, sink)
            finally:
                if sink is not None:
                    sink.close()
        reset_sequences([Member])

    def _build_members(self, unions: list[int], cum: list[float], sink: CopySink | None) -> None:
        rng = self.rng
        member_w = RowWriter(Member, sink=sink)
        history_w = RowWriter(Member.history.model, skip={"history_id"}, sink=sink)
        event_w = RowWriter(MembershipEvent, skip={"id"}, sink=sink)
        status_choice = _Chooser(STATUSES)
        channel_choice = _Chooser(CHANNELS)
        skill_choice = _Chooser(SKILLS)
        order = list(range(self.n))
        rng.shuffle(order)  # which ID number each member gets
        statuses = [status_choice(rng) for _ in range(self.n)]
        cards = iter(make_card_numbers(sum(1 for s in statuses if s in WITH_CARD)))
        start_day = dt.date(2015, 1, 1)
        span = (self.today - start_day).days - 30
        event_kind = {
            Channel.IMPORT: MembershipEvent.Kind.IMPORTED,
            Channel.OFFICER: MembershipEvent.Kind.REGISTERED,
        }
        member_ids = range(1, self.n + 1)
        chosen_unions = rng.choices(unions, cum_weights=cum, k=self.n)
        for i, pk in enumerate(member_ids):
            status = statuses[i]
            male = rng.random() < 0.55
            number = scale_id_number(order[i], male)
            name = fake_name(rng)
            keys = self.pinyin.get(name)
            if keys is None:
                keys = self.pinyin[name] = name_search_keys(name)
            local = county_is_local(number)
            channel = channel_choice(rng)
            union_id = chosen_unions[i]
            applied_day = start_day + dt.timedelta(days=rng.randint(0, span))
            applied_at = self._aware(applied_day, rng.randint(8 * 3600, 18 * 3600))
            decided = status != MemberStatus.PENDING
            decided_at = applied_at + dt.timedelta(days=rng.randint(0, 10)) if decided else None
            ended = status in END_KINDS
            ended_on = (
                min(decided_at.date() + dt.timedelta(days=rng.randint(30, 2000)), self.today)
                if ended
                else None
            )
            encrypted = encrypt(number)
            row = {
                "id": pk,
                "user_id": None,
                "name": name,
                "name_pinyin": keys.pinyin,
                "name_initials": keys.initials,
                "name_pinyin_alt": keys.pinyin_alt,
                "name_initials_alt": keys.initials_alt,
                "id_number": encrypted,
                "_plain_id_number": number,
                "id_number_hash": id_number_key(number),
                "sex": "M" if male else "F",
                "birth_date": dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                "mobile": fake_mobile(rng),
                "household_type": HouseholdType.LOCAL if local else HouseholdType.NON_LOCAL,
                "is_migrant_worker": (not local) and rng.random() < 0.8,
                "employer_id": self.union_enterprise.get(union_id),
                "union_id": union_id,
                "job": rng.choice(JOBS),
                "skill_grade": skill_choice(rng),
                "status": status,
                "channel": channel,
                "card_number": next(cards) if status in WITH_CARD else None,
                "applied_at": applied_at,
                "join_date": decided_at.date() if decided and status != MemberStatus.REJECTED else None,
                "decided_at": decided_at,
                "decided_by_id": None,
                "rejection_reason": "资料不全" if status == MemberStatus.REJECTED else "",
                "ended_on": ended_on,
                "end_reason": "离职" if ended else "",
                "filed_by_id": None,
                "consent_statement": "",
                "consent_confirmed_at": None,
                "updated_at": decided_at or applied_at,
            }
            member_w.add(row)
            history_w.add(self._history(row, applied_at))
            event_w.add(
                {
                    "member_id": pk,
                    "kind": event_kind.get(channel, MembershipEvent.Kind.APPLIED),
                    "from_union_id": None,
                    "to_union_id": union_id,
                    "by_id": None,
                    "at": applied_at,
                    "note": "",
                }
            )
            if ended:
                event_w.add(
                    {
                        "member_id": pk,
                        "kind": END_KINDS[status],
                        "by_id": None,
                        "at": self._aware(ended_on),
                        "note": row["end_reason"],
                    }
                )
            if (i + 1) % 100_000 == 0:
                self.log(f"  {i + 1:,} members")
        for writer in (member_w, history_w, event_w):
            writer.flush()
        self.counts["members"] = member_w.written
        self.counts["events"] = event_w.written
