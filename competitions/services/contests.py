"""Every write of skills contests that carries a rule.

A contest moves ``draft ─open─▶ open ─close─▶ judging ─publish─▶ published`` (or ``cancelled``).
Entries are registered while it is open; judges are assigned to entries (one score sheet each, never
an entry of their own enterprise) and mark every criterion; a submitted sheet is locked and only
district staff reopen it, with a reason kept in its history. The results (weighted part scores, the
total, the rank with ties broken by the practical part then by the time used, the prize by quota) are
computed by one SQL query in the database; publication tells the entrants and issues certificates.

Locks are taken in one order everywhere: the contest, then the entry, then the sheet.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import Member, MemberStatus
from union_portal.certificates.services import certificate_issue, certificate_revoke, certificates_for
from union_portal.core.errors import PermissionDeniedError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.notifications.services import notify

from ..models import (
    Contest,
    ContestStatus,
    Criterion,
    Entry,
    EntryPerson,
    EntryState,
    Grade,
    Judge,
    Mark,
    PartKind,
    Prize,
    ScoreSheet,
    ScoringPart,
    SheetState,
)
from .common import in_subtree, invalid, link, text

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
CERTIFICATE_KIND = "contest.award"


def _lock_contest(contest: Contest) -> Contest:
    return Contest.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=contest.pk)


def _lock_entry(entry: Entry) -> Entry:
    return (
        Entry.objects.select_for_update(of=("self",))
        .select_related("contest", "member", "union")
        .get(pk=entry.pk)
    )


def _wrong_status(contest: Contest, message) -> Exception:
    return invalid(message, code="wrong_state", status=contest.get_status_display())


# --- the contest ---------------------------------------------------------------------------------------


@transaction.atomic
def contest_save(*, contest: Contest, by) -> Contest:
    """Create or change a contest (its settings; the workflow fields move only through the steps)."""
    require_perm(by, "competitions.change_contest" if contest.pk else "competitions.add_contest")
    require_visible(by, contest.organisation)
    if contest.pk:
        require_visible(by, contest)
        current = _lock_contest(contest)
        if current.status in (ContestStatus.PUBLISHED, ContestStatus.CANCELLED):
            raise _wrong_status(
                current, _("A contest whose results are published or that was cancelled is not changed.")
            )
    contest.name = text(contest.name, "name", limit=100)
    contest.occupation = text(contest.occupation, "occupation", limit=50)
    contest.description = text(contest.description, "description", required=False, limit=5000, multiline=True)
    if contest.registration_closes_on < contest.registration_opens_on:
        raise invalid(_("Registration cannot close before it opens."), "registration_closes_on")
    if contest.team_max < contest.team_min:
        raise invalid(_("The largest team cannot be smaller than the smallest."), "team_max")
    if contest.next_contest_id and contest.next_contest_id == contest.pk:
        raise invalid(_("The next level's contest must be another contest."), "next_contest")
    if not contest.pk:
        contest.created_by = by
    contest.save()
    return contest


def scheme_problems(contest: Contest) -> list[str]:
    """What keeps the scoring scheme from being used: weights not adding up to 100, a part without criteria."""
    parts = list(ScoringPart.objects.filter(contest=contest).annotate(n=Sum("criteria__max_marks")))
    problems = []
    if not parts:
        problems.append(_("The scoring scheme has no parts."))
    total = sum((p.weight for p in parts), Decimal(0))
    if parts and total != HUNDRED:
        problems.append(_("The weights of the parts add up to %(total)s%%, not 100%%.") % {"total": total})
    for part in parts:
        if not part.n:
            problems.append(_("The part %(part)s has no criteria.") % {"part": part.get_kind_display()})
    return problems


@transaction.atomic
def scheme_set(*, contest: Contest, by, parts: list[dict]) -> Contest:
    """Replace the scoring scheme of a contest being prepared: ``[{kind, weight, criteria: [{name, max_marks}]}]``."""
    require_perm(by, "competitions.change_contest")
    require_visible(by, contest)
    contest = _lock_contest(contest)
    if contest.status != ContestStatus.DRAFT:
        raise _wrong_status(contest, _("The scoring scheme is fixed once registration has opened."))
    Criterion.objects.filter(part__contest=contest).delete()  # a draft's scheme: nothing was marked yet
    ScoringPart.objects.filter(contest=contest).delete()
    for part in parts:
        if part.get("kind") not in PartKind.values:
            raise invalid(_("Choose a part: theory, practical or project."), "parts")
        weight = _decimal(part.get("weight"), "parts")
        scoring_part = ScoringPart.objects.create(contest=contest, kind=part["kind"], weight=weight)
        for order, criterion in enumerate(part.get("criteria", [])):
            maximum = _decimal(criterion.get("max_marks"), "parts")
            if maximum <= 0:
                raise invalid(_("A criterion's maximum must be above 0."), "parts")
            Criterion.objects.create(
                part=scoring_part,
                name=text(criterion.get("name"), "parts", limit=100),
                max_marks=maximum,
                order=order,
            )
    problems = scheme_problems(contest)
    if problems:
        raise invalid(" ".join(problems), "parts")
    return contest


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip()).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise invalid(_("Enter a number."), field) from None
    if not number.is_finite() or number < 0:
        raise invalid(_("Enter a number of 0 or more."), field)
    return number


@transaction.atomic
def contest_open(*, contest: Contest, by) -> Contest:
    """Open registration. The scoring scheme must be complete."""
    require_perm(by, "competitions.change_contest")
    require_visible(by, contest)
    contest = _lock_contest(contest)
    if contest.status == ContestStatus.OPEN:
        return contest
    if contest.status != ContestStatus.DRAFT:
        raise _wrong_status(contest, _("Only a contest being prepared can open registration."))
    if contest.results_recorded:
        raise invalid(_("This contest holds past results: publish them instead."), code="wrong_state")
    problems = scheme_problems(contest)
    if problems:
        raise invalid(" ".join(problems), "parts", code="scheme_incomplete")
    contest.status = ContestStatus.OPEN
    contest._change_reason = "open"
    contest.save(update_fields=["status"])
    return contest


@transaction.atomic
def contest_close_registration(*, contest: Contest, by) -> Contest:
    """Close registration and start judging."""
    require_perm(by, "competitions.change_contest")
    require_visible(by, contest)
    contest = _lock_contest(contest)
    if contest.status == ContestStatus.JUDGING:
        return contest
    if contest.status != ContestStatus.OPEN:
        raise _wrong_status(contest, _("Only a contest open for registration can start judging."))
    contest.status = ContestStatus.JUDGING
    contest._change_reason = "judging"
    contest.save(update_fields=["status"])
    return contest


@transaction.atomic
def contest_cancel(*, contest: Contest, by, reason: str) -> Contest:
    require_perm(by, "competitions.change_contest")
    require_visible(by, contest)
    reason = text(reason, "reason")
    contest = _lock_contest(contest)
    if contest.status == ContestStatus.CANCELLED:
        return contest
    if contest.status == ContestStatus.PUBLISHED:
        raise _wrong_status(contest, _("A contest whose results are published cannot be cancelled."))
    contest.status = ContestStatus.CANCELLED
    contest._change_reason = reason[:100]
    contest.save(update_fields=["status"])
    entrants = Entry.objects.filter(contest=contest).live().select_related("member__user")
    for entry in entrants:
        if entry.member.user_id:
            notify(
                user=entry.member.user,
                event="contests.cancelled",
                key=f"contests.cancelled:{entry.pk}",
                context={"contest": contest.name, "reason": reason},
                link=link("contests:entry", entry.pk),
            )
    return contest


# --- entries ---------------------------------------------------------------------------------------------


def eligibility_problem(contest: Contest, member: Member) -> str | None:
    """Why ``member`` may not enter ``contest`` (None if they may): a member in good standing of a union
    below the organiser."""
    if member.status != MemberStatus.ACTIVE:
        return _("Only members in good standing can enter a contest.")
    if not in_subtree(member.union, contest.organisation):
        return _("Only members of unions under %(organiser)s can enter this contest.") % {
            "organiser": contest.organisation.name
        }
    return None


def _may_act_for(by, member: Member) -> None:
    if by is not None and by.is_authenticated and member.user_id == by.pk:
        return
    require_perm(by, "competitions.add_entry")
    require_visible(by, member)


@transaction.atomic
def entry_register(
    *,
    contest: Contest,
    member: Member,
    by,
    team_name: str = "",
    team_members: list[Member] | tuple = (),
    project_title: str = "",
    practical_seconds: int | None = None,
    skip_window: bool = False,
    team_cards: list[str] | tuple = (),
) -> Entry:
    """Enter ``member`` (alone, or as the leader of a work team of their enterprise) in ``contest``.

    The member registers themselves on the portal, or staff register them. ``skip_window`` is for the
    next level's contest receiving the winners of the level below (staff only). A team leader on the
    portal names their team-mates by membership card number (``team_cards``): only members of the
    leader's own enterprise are found, so nobody learns who works elsewhere."""
    _may_act_for(by, member)
    contest = _lock_contest(contest)
    member = Member.objects.select_related("union__enterprise", "employer").get(pk=member.pk)
    today = timezone.localdate()
    if skip_window:
        require_perm(by, "competitions.add_entry")
        if contest.status not in (ContestStatus.DRAFT, ContestStatus.OPEN, ContestStatus.JUDGING):
            raise _wrong_status(contest, _("This contest does not take entries."))
    elif contest.status != ContestStatus.OPEN or not (
        contest.registration_opens_on <= today <= contest.registration_closes_on
    ):
        raise invalid(_("Registration for this contest is not open."), "contest", code="registration_closed")
    people = [member]
    if contest.is_team:
        team_name = text(team_name, "team_name", limit=100)
        others = list(Member.objects.filter(pk__in=[m.pk for m in team_members]).select_related("union"))
        others += team_members_by_card(leader=member, cards=team_cards)
        people += [m for m in others if m.pk != member.pk]
        if not contest.team_min <= len(people) <= contest.team_max:
            raise invalid(
                _("A team has %(min)d to %(max)d members (this one has %(n)d)."),
                "team_members",
                min=contest.team_min,
                max=contest.team_max,
                n=len(people),
            )
        if any(m.employer_id != member.employer_id for m in people) or member.employer_id is None:
            raise invalid(_("A work team's members all work for the same enterprise."), "team_members")
    else:
        team_name = ""
    project_title = text(project_title, "project_title", required=contest.is_innovation, limit=200)
    for person in people:
        problem = eligibility_problem(contest, person)
        if problem:
            raise invalid(f"{person.masked_name}: {problem}", "member", code="not_eligible")
    taken = EntryPerson.objects.filter(contest=contest, member__in=people, is_live=True).select_related(
        "member"
    )
    if taken:
        raise invalid(
            _("%(name)s has already entered this contest.") % {"name": taken[0].member.masked_name},
            "member",
            code="duplicate",
        )
    number = (Entry.objects.filter(contest=contest).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                contest=contest,
                number=number,
                member=member,
                team_name=team_name,
                project_title=project_title,
                enterprise=member.employer or member.union.enterprise,
                union=member.union,
                registered_by=by,
                practical_seconds=practical_seconds,
            )
            for person in people:
                EntryPerson.objects.create(entry=entry, contest=contest, member=person)
    except IntegrityError:
        raise invalid(
            _("This person has already entered this contest."), "member", code="duplicate"
        ) from None
    for person in people:  # the contestant, or every member of the team
        if person.user_id:
            notify(
                user=person.user,
                event="contests.entry_registered",
                key=f"contests.entry_registered:{entry.pk}:{person.pk}",
                context={"contest": contest.name, "number": entry.number, "team": team_name},
                link=link("contests:entry", entry.pk),
            )
    return entry


def members_by_cards(cards, members, *, missing_message, field: str) -> list[Member]:
    """The members of ``members`` (a queryset) named by these card numbers (spaces ignored, any case,
    each once, in the order given); an unknown number is an error on ``field`` naming the numbers only
    (``missing_message`` with ``%(cards)s``), never whose they are."""
    wanted = []
    for raw in cards:
        card = "".join(str(raw).split()).upper()
        if card and card not in wanted:
            wanted.append(card)
    if not wanted:
        return []
    found = {m.card_number.upper(): m for m in members.filter(card_number__in=wanted)}
    missing = [card for card in wanted if card not in found]
    if missing:
        raise invalid(missing_message % {"cards": "、".join(missing)}, field, code="unknown_card")
    return [found[card] for card in wanted]


def team_members_by_card(*, leader: Member, cards) -> list[Member]:
    """The team-mates a leader names by membership card number: active members of the leader's own
    enterprise. An unknown number (or one of another enterprise) is an error naming the number only."""
    if not any("".join(str(raw).split()) for raw in cards):
        return []
    if leader.employer_id is None:
        raise invalid(_("A work team's members all work for the same enterprise."), "team_members")
    return members_by_cards(
        cards,
        Member.objects.filter(employer_id=leader.employer_id, status=MemberStatus.ACTIVE).select_related(
            "union", "user"
        ),
        missing_message=_("No member in good standing of your enterprise has the card number %(cards)s."),
        field="team_members",
    )


@transaction.atomic
def entry_withdraw(*, entry: Entry, by, reason: str = "") -> Entry:
    """Withdraw an entry before judging (the member themselves, or staff)."""
    _may_act_for(by, entry.member)
    _lock_contest(entry.contest)
    entry = _lock_entry(entry)
    if entry.state == EntryState.WITHDRAWN:
        return entry
    if entry.state != EntryState.REGISTERED:
        raise invalid(_("This entry is no longer registered."), code="wrong_state")
    if entry.contest.status not in (ContestStatus.DRAFT, ContestStatus.OPEN):
        raise invalid(_("An entry cannot be withdrawn once judging has started."), code="wrong_state")
    entry.state = EntryState.WITHDRAWN
    entry.state_reason = text(reason, "reason", required=False)
    entry.save(update_fields=["state", "state_reason"])
    for person in entry.people.all():
        person.is_live = False
        person.save(update_fields=["is_live"])
    return entry


@transaction.atomic
def entry_set_practical_time(*, entry: Entry, by, seconds: int | None) -> Entry:
    """Record the time an entry used in the practical part (it breaks ties)."""
    require_perm(by, "competitions.change_entry")
    require_visible(by, entry)
    entry = _lock_entry(entry)
    if entry.contest.status == ContestStatus.PUBLISHED:
        raise invalid(_("The results of this contest are published."), code="wrong_state")
    if seconds is not None and seconds < 0:
        raise invalid(_("Enter a number of 0 or more."), "practical_seconds")
    entry.practical_seconds = seconds
    entry.save(update_fields=["practical_seconds"])
    return entry


# --- judges and score sheets ----------------------------------------------------------------------------


def conflict_of_interest(judge: Judge, entry: Entry) -> bool:
    return judge.enterprise_id is not None and judge.enterprise_id == entry.enterprise_id


@transaction.atomic
def judge_assign(*, entry: Entry, judge: Judge, by) -> ScoreSheet:
    """Assign ``judge`` to ``entry``: a score sheet to fill. Never an entry of the judge's own enterprise."""
    require_perm(by, "competitions.add_scoresheet")
    require_visible(by, entry)
    require_visible(by, judge)
    _lock_contest(entry.contest)
    entry = _lock_entry(entry)
    if entry.contest.status not in (ContestStatus.OPEN, ContestStatus.JUDGING):
        raise invalid(_("Judges are assigned while the contest is open or being judged."), code="wrong_state")
    if entry.state != EntryState.REGISTERED:
        raise invalid(_("This entry is no longer registered."), "entry", code="wrong_state")
    if not judge.is_active:
        raise invalid(_("This judge is no longer on the panel."), "judge")
    if conflict_of_interest(judge, entry):
        raise invalid(
            _("A judge cannot score an entry of their own enterprise."), "judge", code="conflict_of_interest"
        )
    existing = ScoreSheet.objects.filter(entry=entry, judge=judge).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            sheet = ScoreSheet.objects.create(
                entry=entry,
                judge=judge,
                judge_enterprise_id=judge.enterprise_id,
                entry_enterprise_id=entry.enterprise_id,
                assigned_by=by,
            )
    except IntegrityError:
        raise invalid(_("A judge cannot score an entry of their own enterprise."), "judge") from None
    notify(
        user=judge.user,
        event="contests.sheet_assigned",
        key=f"contests.sheet_assigned:{entry.contest_id}:{judge.pk}",  # one message per contest, not per entry
        context={"contest": entry.contest.name},
        link=link("contests:judge_home"),
    )
    return sheet


def judges_assign_all(*, contest: Contest, judges, by) -> tuple[int, int]:
    """Assign each judge to every live entry of the contest they have no conflict with.
    Returns (sheets made or found, entries skipped for a conflict of interest)."""
    made = skipped = 0
    entries = list(Entry.objects.filter(contest=contest).live().select_related("contest"))
    for judge in judges:
        for entry in entries:
            if conflict_of_interest(judge, entry):
                skipped += 1
                continue
            judge_assign(entry=entry, judge=judge, by=by)
            made += 1
    return made, skipped


def _lock_sheet(sheet: ScoreSheet) -> ScoreSheet:
    return (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("entry__contest", "judge__user")
        .get(pk=sheet.pk)
    )


@transaction.atomic
def sheet_mark(*, sheet: ScoreSheet, by, marks: dict, submit: bool = False) -> ScoreSheet:
    """The judge enters marks (``{criterion id: marks}``); ``submit`` locks the sheet, which then needs
    every criterion marked."""
    require_perm(by, "competitions.score_scoresheet")
    if sheet.judge.user_id != by.pk:
        raise PermissionDeniedError(_("Only the judge assigned to this sheet can mark it."))
    _lock_contest(sheet.entry.contest)
    sheet = _lock_sheet(sheet)
    contest = sheet.entry.contest
    if contest.status != ContestStatus.JUDGING:
        raise invalid(_("Marks are entered while the contest is being judged."), code="wrong_state")
    if sheet.state == SheetState.SUBMITTED:
        raise invalid(_("This sheet is submitted and locked."), code="sheet_locked")
    if sheet.state != SheetState.OPEN:
        raise invalid(_("This assignment was withdrawn."), code="wrong_state")
    criteria = {c.pk: c for c in Criterion.objects.filter(part__contest=contest)}
    existing = {m.criterion_id: m for m in Mark.objects.filter(sheet=sheet)}
    for key, raw in marks.items():
        criterion = criteria.get(int(key))
        if criterion is None:
            raise invalid(_("This criterion is not in the contest's scheme."), f"criterion_{key}")
        if raw in (None, ""):
            continue
        value = _decimal(raw, f"criterion_{key}")
        if value > criterion.max_marks:
            raise invalid(
                _("%(criterion)s: at most %(max)s marks.")
                % {"criterion": criterion.name, "max": criterion.max_marks},
                f"criterion_{key}",
                code="above_maximum",
            )
        mark = existing.get(criterion.pk)
        if mark is None:
            existing[criterion.pk] = Mark.objects.create(
                sheet=sheet,
                criterion=criterion,
                entry_id=sheet.entry_id,
                marks=value,
                max_marks=criterion.max_marks,
            )
        elif mark.marks != value:
            mark.marks = value
            mark.save(update_fields=["marks"])
    if submit:
        missing = [c.name for pk, c in criteria.items() if pk not in existing]
        if missing:
            raise invalid(
                _("Mark every criterion before submitting: %(missing)s.") % {"missing": "、".join(missing)}
            )
        sheet.state = SheetState.SUBMITTED
        sheet.submitted_at = timezone.now()
        sheet._change_reason = "submitted"
        sheet.save(update_fields=["state", "submitted_at"])
    return sheet


@transaction.atomic
def sheet_reopen(*, sheet: ScoreSheet, by, reason: str) -> ScoreSheet:
    """District staff reopen a submitted sheet for the judge to correct; the reason stays in the history."""
    require_perm(by, "competitions.reopen_scoresheet")
    require_visible(by, sheet)
    reason = text(reason, "reason")
    _lock_contest(sheet.entry.contest)
    sheet = _lock_sheet(sheet)
    if sheet.state == SheetState.OPEN:
        return sheet
    if sheet.state != SheetState.SUBMITTED:
        raise invalid(_("Only a submitted sheet can be reopened."), code="wrong_state")
    if sheet.entry.contest.status != ContestStatus.JUDGING:
        raise invalid(_("A sheet is reopened only while the contest is being judged."), code="wrong_state")
    sheet.state = SheetState.OPEN
    sheet.submitted_at = None
    sheet.reopen_count += 1
    sheet.last_reopen_reason = reason
    sheet._change_reason = reason[:100]
    sheet.save(update_fields=["state", "submitted_at", "reopen_count", "last_reopen_reason"])
    notify(
        user=sheet.judge.user,
        event="contests.sheet_reopened",
        key=f"contests.sheet_reopened:{sheet.pk}:{sheet.reopen_count}",
        context={"contest": sheet.entry.contest.name, "number": sheet.entry.number, "reason": reason},
        link=link("contests:sheet", sheet.pk),
    )
    return sheet


# --- results ---------------------------------------------------------------------------------------------

SCORES_SQL = """
WITH per_criterion AS (
    SELECT m.entry_id, c.part_id,
           SUM(m.marks) AS s, MAX(m.marks) AS hi, MIN(m.marks) AS lo, COUNT(*) AS n
    FROM competitions_mark m
    JOIN competitions_scoresheet sh ON sh.id = m.sheet_id
    JOIN competitions_criterion c ON c.id = m.criterion_id
    JOIN competitions_entry e ON e.id = m.entry_id
    WHERE e.contest_id = %(contest)s AND e.state = 'registered' AND sh.state = 'submitted'
    GROUP BY m.entry_id, m.criterion_id, c.part_id
), criterion_scores AS (
    SELECT entry_id, part_id,
           CASE WHEN %(trim)s = 1 AND n >= %(trim_min)s THEN (s - hi - lo) * 1.0 / (n - 2)
                ELSE s * 1.0 / n END AS score
    FROM per_criterion
), part_max AS (
    SELECT c.part_id, SUM(c.max_marks) AS top
    FROM competitions_criterion c JOIN competitions_scoringpart sp ON sp.id = c.part_id
    WHERE sp.contest_id = %(contest)s
    GROUP BY c.part_id
), part_scores AS (
    SELECT cs.entry_id, sp.kind, SUM(cs.score) * sp.weight / pm.top AS points
    FROM criterion_scores cs
    JOIN competitions_scoringpart sp ON sp.id = cs.part_id
    JOIN part_max pm ON pm.part_id = cs.part_id
    GROUP BY cs.entry_id, sp.kind, sp.weight, pm.top
), totals AS (
    SELECT entry_id,
           ROUND(SUM(CASE WHEN kind = 'theory' THEN points ELSE 0 END), 2) AS theory,
           ROUND(SUM(CASE WHEN kind = 'practical' THEN points ELSE 0 END), 2) AS practical,
           ROUND(SUM(points), 2) AS total
    FROM part_scores GROUP BY entry_id
), ranked AS (
    SELECT t.entry_id, t.theory, t.practical, t.total, e.number,
           RANK() OVER (ORDER BY t.total DESC, t.practical DESC, COALESCE(e.practical_seconds, 2147483647)) AS rnk
    FROM totals t JOIN competitions_entry e ON e.id = t.entry_id
)"""

RESULTS_SQL = SCORES_SQL + "\nSELECT entry_id, theory, practical, total, rnk FROM ranked ORDER BY rnk, number"

# Every entry of the contest gets its new result: the ranked ones theirs, the others (withdrawn,
# disqualified, no submitted marks) none. Only the rows whose result differs are written, and their ids
# returned for the history. The two halves are a UNION ALL, each joined to the entries by primary key:
# a LEFT JOIN of the entries to the ranking let the planner, misled by stale statistics, rescan the
# ranking once per entry (10x the bare aggregate at 2,000 entries).
WRITE_SQL = (
    SCORES_SQL  # noqa: S608 - constant text, the values are parameters
    + """, fresh AS (
    SELECT r.entry_id AS id, r.theory, r.practical, r.total,
           CASE WHEN %(innovation)s = 1 THEN NULL ELSE r.rnk END AS rnk,
           CASE WHEN %(innovation)s = 1 THEN %(none)s
                WHEN r.rnk <= %(first)s THEN %(first_prize)s
                WHEN r.rnk <= %(second)s THEN %(second_prize)s
                WHEN r.rnk <= %(third)s THEN %(third_prize)s
                WHEN r.rnk <= %(excellent)s THEN %(excellent_prize)s
                ELSE %(none)s END AS prize
    FROM ranked r
    UNION ALL
    SELECT e.id, NULL, NULL, NULL, NULL, %(none)s
    FROM competitions_entry e
    WHERE e.contest_id = %(contest)s AND (e.state <> 'registered' OR NOT EXISTS (
        SELECT 1 FROM competitions_mark m JOIN competitions_scoresheet sh ON sh.id = m.sheet_id
        WHERE m.entry_id = e.id AND sh.state = 'submitted'
    ))
)
UPDATE competitions_entry
SET theory_score = fresh.theory, practical_score = fresh.practical, total = fresh.total,
    rank = fresh.rnk, prize = fresh.prize
FROM fresh
WHERE competitions_entry.id = fresh.id AND (
    competitions_entry.theory_score IS DISTINCT FROM fresh.theory
    OR competitions_entry.practical_score IS DISTINCT FROM fresh.practical
    OR competitions_entry.total IS DISTINCT FROM fresh.total
    OR competitions_entry.rank IS DISTINCT FROM fresh.rnk
    OR competitions_entry.prize IS DISTINCT FROM fresh.prize
)
RETURNING competitions_entry.id"""
)


def _scores_params(contest: Contest) -> dict:
    return {
        "contest": contest.pk,
        "trim": 1 if contest.trim_extremes else 0,
        "trim_min": contest.trim_min_judges,
    }


def results_rows(contest: Contest) -> list[tuple]:
    """``(entry id, theory, practical, total, rank)`` of every live entry with submitted marks, best first.

    One query: marks averaged per criterion over the submitted sheets (the highest and lowest dropped
    when the contest says so and enough judges marked), summed per part and weighted to percent of the
    total, then ranked by the total, the practical part, and the shorter practical time. Equal on all
    three, entries share a rank."""
    with connection.cursor() as cursor:
        cursor.execute(RESULTS_SQL, _scores_params(contest))
        return [
            (row[0], _score(row[1]), _score(row[2]), _score(row[3]), int(row[4])) for row in cursor.fetchall()
        ]


def _score(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


PRIZE_ORDER = (Prize.FIRST, Prize.SECOND, Prize.THIRD, Prize.EXCELLENT)


def _prize_bounds(contest: Contest) -> list[int]:
    """The last rank of each prize (first, second, third, excellence) by the contest's quotas."""
    bounds, bound = [], 0
    for quota in (contest.quota_first, contest.quota_second, contest.quota_third, contest.quota_excellent):
        bound += quota
        bounds.append(bound)
    return bounds


def prize_for(contest: Contest, rank: int | None) -> str:
    """The prize a rank earns by the contest's quotas (entries tied at a boundary share the better prize)."""
    if rank is None or contest.is_innovation:
        return Prize.NONE
    for prize, bound in zip(PRIZE_ORDER, _prize_bounds(contest), strict=True):
        if rank <= bound:
            return prize
    return Prize.NONE


@transaction.atomic
def contest_compute_results(*, contest: Contest, by) -> int:
    """Compute the scores, ranks and prizes of a contest being judged; every assigned sheet must be
    submitted. Returns the number of entries with a result. Safe to run again (after a reopened sheet).

    The database does it all: one statement ranks the entries (``SCORES_SQL``), gives the prizes by the
    quotas (the same rule as ``prize_for``) and writes only the entries whose result changed; one
    ``INSERT ... SELECT`` per 1,000 of them writes their history rows (by whom, "results computed")."""
    require_perm(by, "competitions.publish_contest")
    require_visible(by, contest)
    contest = _lock_contest(contest)
    if contest.status != ContestStatus.JUDGING:
        raise _wrong_status(contest, _("Results are computed while the contest is being judged."))
    waiting = ScoreSheet.objects.filter(
        entry__contest=contest, entry__state=EntryState.REGISTERED, state=SheetState.OPEN
    ).count()
    if waiting:
        raise invalid(_("%(n)d score sheets are not submitted yet."), code="sheets_open", n=waiting)
    first, second, third, excellent = _prize_bounds(contest)
    params = {
        **_scores_params(contest),
        "innovation": 1 if contest.is_innovation else 0,
        "none": Prize.NONE.value,
        "first": first,
        "second": second,
        "third": third,
        "excellent": excellent,
        **{f"{prize.value}_prize": prize.value for prize in PRIZE_ORDER},
    }
    with connection.cursor() as cursor:
        cursor.execute(WRITE_SQL, params)
        changed = [row[0] for row in cursor.fetchall()]
    _write_history(changed, by=by, reason="results computed")
    contest.results_computed_at = timezone.now()
    contest._change_reason = "results computed"
    contest.save(update_fields=["results_computed_at"])
    return Entry.objects.filter(contest=contest, total__isnull=False).count()


def _write_history(entry_ids: list[int], *, by, reason: str) -> None:
    """One history row per entry (its current state), written by ``INSERT ... SELECT`` in the database,
    as ``bulk_history_create`` would write them: an update ("~") at this moment by ``by`` with ``reason``."""
    if not entry_ids:
        return
    qn = connection.ops.quote_name
    history = Entry.history.model
    copied = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    columns = ", ".join(qn(c) for c in copied)
    meta = ", ".join(
        qn(history._meta.get_field(n).column)
        for n in ("history_date", "history_change_reason", "history_type", "history_user")
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(entry_ids), 1000):
            chunk = entry_ids[start : start + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({columns}, {meta}) "  # noqa: S608 - names are ours
                f"SELECT {columns}, %s, %s, %s, %s FROM {qn(Entry._meta.db_table)} WHERE {qn('id')} IN ({marks})",
                [now, reason, "~", getattr(by, "pk", None), *chunk],
            )


@transaction.atomic
def entry_set_grade(*, entry: Entry, by, grade: str) -> Entry:
    """Grade a project of an innovation contest (it is graded, not ranked)."""
    require_perm(by, "competitions.publish_contest")
    require_visible(by, entry)
    _lock_contest(entry.contest)
    entry = _lock_entry(entry)
    if not entry.contest.is_innovation:
        raise invalid(_("Only the projects of an innovation contest are graded."), "grade")
    if entry.contest.status != ContestStatus.JUDGING:
        raise invalid(_("Projects are graded while the contest is being judged."), code="wrong_state")
    if grade not in Grade.values:
        raise invalid(_("Choose a grade."), "grade")
    entry.grade = grade
    entry.save(update_fields=["grade"])
    return entry


def award_label(entry: Entry) -> str:
    """The prize or grade of an entry, in the language active now."""
    if entry.contest.is_innovation:
        return str(Grade(entry.grade).label) if entry.grade else ""
    return str(Prize(entry.prize).label) if entry.prize else ""


def _issue_certificate(entry: Entry, by) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        award = award_label(entry)
        subject = _("Awarded %(award)s in %(contest)s") % {"award": award, "contest": entry.contest.name}
        title = _("Certificate of award")
    certificate_issue(
        by=by,
        kind=CERTIFICATE_KIND,
        source=entry,
        holder_name=entry.team_name or entry.member.name,
        holder_user=entry.member.user,
        holder_is_person=not entry.team_name,
        title=str(title),
        subject=str(subject),
        issuer=entry.contest.organisation.name,
        organisation=entry.union,
        template="competitions/certificate.html",
        context={"award": award, "contest": entry.contest.name, "occupation": entry.contest.occupation},
    )


def _is_past(contest: Contest) -> bool:
    return contest.status == ContestStatus.DRAFT and contest.registration_closes_on < timezone.localdate()


@transaction.atomic
def entry_record_result(
    *,
    contest: Contest,
    member: Member,
    by,
    total: Decimal | None = None,
    rank: int | None = None,
    prize: str = "",
    grade: str = "",
    team_name: str = "",
    project_title: str = "",
    team_cards: list[str] | tuple = (),
) -> Entry:
    """Record the result of a contest held before the portal (the import of past results): the entry of
    ``member`` (or of the work team they led, with the team-mates named by membership card number in
    ``team_cards``) with its total, rank and prize, or its grade. The contest is one being prepared whose
    registration closed in the past; it is published afterwards with :func:`contest_publish` (no
    certificate and no message for results of the past).

    Team-mates of the past are found among the members the importer may see, whatever their status
    and employer today (they may have left since); the team's size is the contest's rule."""
    require_perm(by, "competitions.import_contest")
    require_visible(by, contest)
    require_visible(by, member)
    contest = _lock_contest(contest)
    if not _is_past(contest):
        raise invalid(
            _(
                "Past results are recorded into a contest being prepared whose registration closed in the past."
            ),
            "contest",
            code="wrong_state",
        )
    if total is not None and total < 0:
        raise invalid(_("Enter a number of 0 or more."), "total")
    if rank is not None and rank < 1:
        raise invalid(_("A rank is 1 or more."), "rank")
    if contest.is_innovation:
        if prize or rank is not None:
            raise invalid(_("An innovation contest grades its projects instead of ranking them."), "grade")
        if grade not in Grade.values or not grade:
            raise invalid(_("Choose a grade."), "grade")
    else:
        if grade:
            raise invalid(_("Only the projects of an innovation contest are graded."), "grade")
        if prize not in Prize.values:
            raise invalid(_("Choose a prize."), "prize")
        if prize and rank is None:
            raise invalid(_("A prize needs the rank it was won with."), "rank")
    team_name = text(team_name, "team_name", required=contest.is_team, limit=100) if contest.is_team else ""
    project_title = text(project_title, "project_title", required=contest.is_innovation, limit=200)
    member = Member.objects.select_related("union__enterprise", "employer").get(pk=member.pk)
    people = [member]
    if contest.is_team:
        people += [m for m in _past_team_mates(by=by, cards=team_cards) if m.pk != member.pk]
        if not contest.team_min <= len(people) <= contest.team_max:
            raise invalid(
                _("A team has %(min)d to %(max)d members (this one has %(n)d)."),
                "team_cards",
                min=contest.team_min,
                max=contest.team_max,
                n=len(people),
            )
    elif any(str(card).strip() for card in team_cards):
        raise invalid(_("Only a work team has team-mates."), "team_cards")
    taken = EntryPerson.objects.filter(contest=contest, member__in=people, is_live=True).select_related(
        "member"
    )
    if taken:
        raise invalid(
            _("%(name)s has already entered this contest.") % {"name": taken[0].member.masked_name},
            "team_cards" if taken[0].member_id != member.pk else "member",
            code="duplicate",
        )
    number = (Entry.objects.filter(contest=contest).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            entry = Entry(
                contest=contest, number=number, member=member, team_name=team_name, project_title=project_title,
                enterprise=member.employer or member.union.enterprise, union=member.union, registered_by=by,
                total=total, rank=rank, prize=prize, grade=grade,
            )  # fmt: skip
            entry._change_reason = "past result recorded"
            entry.save()
            for person in people:
                EntryPerson.objects.create(entry=entry, contest=contest, member=person)
    except IntegrityError:
        raise invalid(
            _("This person has already entered this contest."), "member", code="duplicate"
        ) from None
    if not contest.results_recorded:
        contest.results_recorded = True
        contest._change_reason = "past results recorded"
        contest.save(update_fields=["results_recorded"])
    return entry


def _past_team_mates(*, by, cards) -> list[Member]:
    """The team-mates of a past result, by membership card number among the members ``by`` may see.
    An unknown number is an error naming the number only."""
    return members_by_cards(
        cards,
        Member.objects.visible_to(by),
        missing_message=_("No member of your organisation has the card number %(cards)s."),
        field="team_cards",
    )


@transaction.atomic
def contest_publish(*, contest: Contest, by) -> Contest:
    """Publish the results: the entrants are told, and each winner gets a certificate. A past contest
    whose results were recorded (imported) is published as it is, without certificates or messages."""
    require_perm(by, "competitions.publish_contest")
    require_visible(by, contest)
    contest = _lock_contest(contest)
    if contest.status == ContestStatus.PUBLISHED:
        return contest
    if contest.results_recorded and _is_past(contest):
        contest.status = ContestStatus.PUBLISHED
        contest.published_at = timezone.now()
        contest._change_reason = "past results published"
        contest.save(update_fields=["status", "published_at"])
        return contest
    if contest.status != ContestStatus.JUDGING or contest.results_computed_at is None:
        raise _wrong_status(
            contest, _("Compute the results of a contest being judged before publishing them.")
        )
    if contest.is_innovation and Entry.objects.filter(contest=contest).live().filter(grade="").exists():
        raise invalid(_("Grade every project before publishing."), code="ungraded")
    contest.status = ContestStatus.PUBLISHED
    contest.published_at = timezone.now()
    contest._change_reason = "published"
    contest.save(update_fields=["status", "published_at"])
    entries = (
        Entry.objects.filter(contest=contest)
        .live()
        .select_related("member__user", "contest__organisation", "union")
    )
    for entry in entries:
        if entry.prize if not contest.is_innovation else entry.grade:
            _issue_certificate(entry, by)
        if entry.member.user_id:
            with translation.override(settings.LANGUAGE_CODE):
                award = award_label(entry)
            notify(
                user=entry.member.user,
                event="contests.results_published",
                key=f"contests.results_published:{entry.pk}",
                context={"contest": contest.name, "rank": entry.rank, "award": award, "total": entry.total},
                link=link("contests:entry", entry.pk),
            )
    return contest


@transaction.atomic
def contest_advance_winners(*, contest: Contest, by, prizes=(Prize.FIRST,)) -> list[Entry]:
    """Enter the winners of a published contest into the next level's contest."""
    require_perm(by, "competitions.add_entry")
    require_visible(by, contest)
    if contest.status != ContestStatus.PUBLISHED:
        raise _wrong_status(contest, _("Winners go on once the results are published."))
    if contest.next_contest_id is None:
        raise invalid(_("This contest has no next level's contest."), "next_contest")
    target = contest.next_contest
    advanced = []
    winners = Entry.objects.filter(contest=contest, prize__in=prizes, advanced_to__isnull=True).live()
    for entry in winners.select_related("member").prefetch_related("people__member"):
        new = entry_register(
            contest=target,
            member=entry.member,
            by=by,
            team_name=entry.team_name,
            team_members=[p.member for p in entry.people.all()],
            project_title=entry.project_title,
            skip_window=True,
        )
        entry = _lock_entry(entry)
        entry.advanced_to = new
        entry.save(update_fields=["advanced_to"])
        advanced.append(new)
    return advanced


@transaction.atomic
def entry_disqualify(*, entry: Entry, by, reason: str) -> Entry:
    """Disqualify an entry (a rule broken); a certificate already issued is revoked."""
    require_perm(by, "competitions.publish_contest")
    require_visible(by, entry)
    reason = text(reason, "reason")
    _lock_contest(entry.contest)
    entry = _lock_entry(entry)
    if entry.state == EntryState.DISQUALIFIED:
        return entry
    entry.state = EntryState.DISQUALIFIED
    entry.state_reason = reason
    entry.prize = Prize.NONE
    entry._change_reason = reason[:100]
    entry.save(update_fields=["state", "state_reason", "prize"])
    for person in EntryPerson.objects.filter(entry=entry, is_live=True).order_by("pk"):
        person.is_live = False
        person._change_reason = reason[:100]
        person.save(update_fields=["is_live"])
    for certificate in certificates_for(entry, kind=CERTIFICATE_KIND).filter(revoked_at__isnull=True):
        certificate_revoke(certificate=certificate, by=None, reason=reason)
    member = Member.objects.select_related("user").get(pk=entry.member_id)
    if member.user_id:
        notify(
            user=member.user,
            event="contests.entry_disqualified",
            key=f"contests.entry_disqualified:{entry.pk}",
            context={"contest": entry.contest.name, "number": entry.number, "reason": reason},
            link=link("contests:entry", entry.pk),
        )
    return entry


# --- the judges' panel -----------------------------------------------------------------------------------


@transaction.atomic
def judge_save(*, judge: Judge, by) -> Judge:
    """Add a judge to the panel or change them; the user gets the judge role."""
    from django.contrib.auth.models import Group

    from union_portal.accounts.roles import Role

    require_perm(by, "competitions.change_judge" if judge.pk else "competitions.add_judge")
    require_visible(by, judge.organisation)
    if judge.pk:
        require_visible(by, judge)
    if judge.enterprise_id:
        require_visible(by, judge.enterprise)
    judge.name = text(judge.name, "name", limit=50)
    judge.speciality = text(judge.speciality, "speciality", required=False, limit=100)
    try:
        with transaction.atomic():
            judge.save()
    except IntegrityError:
        raise invalid(_("This user is already on a judges' panel."), "user", code="duplicate") from None
    group = Group.objects.filter(name=Role.JUDGE).first()
    if group is not None:
        judge.user.groups.add(group)
    return judge
