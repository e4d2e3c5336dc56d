"""Every write of honours that carries a rule.

A nomination moves ``submitted ─review─▶ shortlisted | rejected``; the round then announces the
shortlist publicly for a number of working days (公示, counted with chinesecalendar); objections
received in that period are recorded and resolved, an upheld one stops the nomination; after the
period, with no objection open, the rest are conferred: an entry in the honours register and a
certificate. Every step goes through :func:`_move` (who, when, from, to, note).

Locks: the round, then the nomination, then the objection.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import Member, MemberStatus
from union_portal.certificates.services import certificate_issue, certificate_revoke, certificates_for
from union_portal.core.errors import PermissionDeniedError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.workdays import add_working_days, is_working_day
from union_portal.notifications.services import notify
from union_portal.organisations.models import Organisation
from union_portal.webhooks.services import webhook_emit

from ..models import (
    ActiveState,
    CareKind,
    CareRecord,
    HolderKind,
    Honour,
    HonourStatus,
    HonourTitle,
    MentorPair,
    Nomination,
    NominationRound,
    NominationState,
    NominationStep,
    Objection,
    ObjectionState,
    RoundStatus,
    Studio,
)
from .common import in_subtree, invalid, link, text

CERTIFICATE_KIND = "honour"


def _lock_round(round_: NominationRound) -> NominationRound:
    return (
        NominationRound.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=round_.pk)
    )


def _lock_nomination(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("round", "title", "member__user", "union")
        .get(pk=nomination.pk)
    )


def _move(nomination: Nomination, to_state: str, *, by, note: str = "") -> Nomination:
    from_state = nomination.state
    nomination.state = to_state
    nomination._change_reason = (note or to_state)[:100]
    nomination.save(update_fields=["state"])
    step = NominationStep.objects.create(
        nomination=nomination, from_state=from_state, to_state=to_state, by=by, note=(note or "")[:300]
    )
    if nomination.member_id and nomination.member.user_id:
        notify(
            user=nomination.member.user,
            event="honours.nomination_moved",
            key=f"honours.nomination_moved:{step.pk}",
            context={
                "title": nomination.title.name,
                "round": nomination.round.name,
                "state": str(NominationState(to_state).label),
                "note": note,
            },
            link=link("contests:honours"),
        )
    return nomination


# --- titles and rounds ------------------------------------------------------------------------------------


@transaction.atomic
def title_save(*, title: HonourTitle, by) -> HonourTitle:
    require_perm(by, "competitions.change_honourtitle" if title.pk else "competitions.add_honourtitle")
    require_visible(by, title.organisation)
    title.name = text(title.name, "name", limit=100)
    title.description = text(title.description, "description", required=False, limit=5000, multiline=True)
    try:
        with transaction.atomic():
            title.save()
    except IntegrityError:
        raise invalid(_("This title already exists."), "name") from None
    return title


@transaction.atomic
def round_save(*, round_: NominationRound, by) -> NominationRound:
    require_perm(
        by, "competitions.change_nominationround" if round_.pk else "competitions.add_nominationround"
    )
    require_visible(by, round_.organisation)
    if round_.pk:
        current = _lock_round(round_)
        if current.status != RoundStatus.OPEN:
            raise invalid(_("A round is changed only while it takes nominations."), code="wrong_state")
    round_.name = text(round_.name, "name", limit=100)
    if round_.publicity_days < 1:
        raise invalid(_("The public notice lasts at least one working day."), "publicity_days")
    round_.save()
    return round_


def publicity_window(starts_on: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The public notice (公示) period: ``days`` working days from ``starts_on`` (moved to the next working
    day if it is not one), holidays and make-up working days as the State Council published them."""
    while not is_working_day(starts_on):
        starts_on += dt.timedelta(days=1)
    return starts_on, add_working_days(starts_on - dt.timedelta(days=1), days)


# --- nominations --------------------------------------------------------------------------------------------


@transaction.atomic
def nomination_submit(
    *,
    round_: NominationRound,
    title: HonourTitle,
    union: Organisation,
    by,
    deeds: str,
    member: Member | None = None,
    holder_name: str = "",
    enterprise=None,
) -> Nomination:
    """A union nominates a person (a member), a team, an enterprise or a union for a title, with the
    record of deeds."""
    require_perm(by, "competitions.add_nomination")
    require_visible(by, union)
    require_visible(by, round_)
    round_ = _lock_round(round_)
    if round_.status != RoundStatus.OPEN or timezone.localdate() > round_.nominations_close_on:
        raise invalid(_("This round does not take nominations any more."), "round", code="closed")
    if not title.is_active:
        raise invalid(_("This title is no longer awarded."), "title")
    if not in_subtree(union, round_.organisation):
        raise invalid(
            _("Only unions under %(org)s nominate in this round.") % {"org": round_.organisation.name},
            "union",
        )
    deeds = text(deeds, "deeds", limit=20000, multiline=True)
    if title.holder_kind == HolderKind.PERSON:
        if member is None:
            raise invalid(_("Choose the member nominated."), "member")
        require_visible(by, member)
        if member.status != MemberStatus.ACTIVE:
            raise invalid(_("Only members in good standing are nominated."), "member")
        holder_name = member.name
        if Nomination.objects.filter(
            round=round_, title=title, member=member, state__in=NominationState.LIVE
        ).exists():
            raise invalid(
                _("This person is already nominated for this title in this round."),
                "member",
                code="duplicate",
            )
    else:
        member = None
        holder_name = text(holder_name, "holder_name", limit=100)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                round=round_,
                title=title,
                holder_kind=title.holder_kind,
                member=member,
                holder_name=holder_name,
                union=union,
                enterprise=enterprise,
                deeds=deeds,
                submitted_by=by,
            )
    except IntegrityError:
        raise invalid(
            _("This person is already nominated for this title in this round."), "member", code="duplicate"
        ) from None
    step = NominationStep.objects.create(nomination=nomination, to_state=NominationState.SUBMITTED, by=by)
    if member is not None and member.user_id:
        notify(
            user=member.user,
            event="honours.nomination_moved",
            key=f"honours.nomination_moved:{step.pk}",
            context={
                "title": title.name,
                "round": round_.name,
                "state": str(NominationState.SUBMITTED.label),
                "note": "",
            },
            link=link("contests:home"),
        )
    return nomination


@transaction.atomic
def nomination_review(*, nomination: Nomination, by, shortlist: bool, note: str = "") -> Nomination:
    """District staff review a nomination: onto the shortlist, or not (with the reason)."""
    require_perm(by, "competitions.review_nomination")
    require_visible(by, nomination)
    note = text(note, "note", required=not shortlist)
    _lock_round(nomination.round)
    nomination = _lock_nomination(nomination)
    target = NominationState.SHORTLISTED if shortlist else NominationState.REJECTED
    if nomination.state == target:
        return nomination
    if nomination.round.status not in (RoundStatus.OPEN, RoundStatus.REVIEW):
        raise invalid(_("Nominations are reviewed before the public notice."), code="wrong_state")
    if nomination.state not in (
        NominationState.SUBMITTED,
        NominationState.SHORTLISTED,
        NominationState.REJECTED,
    ):
        raise invalid(_("This nomination is no longer under review."), code="wrong_state")
    return _move(nomination, target, by=by, note=note)


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, by, note: str = "") -> Nomination:
    require_perm(by, "competitions.add_nomination")
    require_visible(by, nomination)
    _lock_round(nomination.round)
    nomination = _lock_nomination(nomination)
    if nomination.state == NominationState.WITHDRAWN:
        return nomination
    if nomination.state not in (NominationState.SUBMITTED, NominationState.SHORTLISTED):
        raise invalid(_("This nomination can no longer be withdrawn."), code="wrong_state")
    return _move(nomination, NominationState.WITHDRAWN, by=by, note=text(note, "note", required=False))


@transaction.atomic
def round_start_publicity(
    *, round_: NominationRound, by, starts_on: dt.date | None = None
) -> NominationRound:
    """Announce the shortlist publicly (公示) for the round's number of working days."""
    require_perm(by, "competitions.confer_nominationround")
    require_visible(by, round_)
    round_ = _lock_round(round_)
    if round_.status == RoundStatus.PUBLICITY:
        return round_
    if round_.status not in (RoundStatus.OPEN, RoundStatus.REVIEW):
        raise invalid(_("The public notice follows the review."), code="wrong_state")
    nominations = Nomination.objects.filter(round=round_)
    if nominations.filter(state=NominationState.SUBMITTED).exists():
        raise invalid(_("Review every nomination before the public notice."), code="unreviewed")
    if not nominations.filter(state=NominationState.SHORTLISTED).exists():
        raise invalid(_("Nobody is shortlisted."), code="empty")
    today = timezone.localdate()
    starts_on = starts_on or today
    if starts_on < today:
        raise invalid(_("The public notice cannot start in the past."), "starts_on")
    round_.publicity_starts_on, round_.publicity_ends_on = publicity_window(starts_on, round_.publicity_days)
    round_.status = RoundStatus.PUBLICITY
    round_._change_reason = "publicity"
    round_.save(update_fields=["status", "publicity_starts_on", "publicity_ends_on"])
    shortlisted = nominations.filter(state=NominationState.SHORTLISTED, member__user__isnull=False)
    for nomination in shortlisted.select_related("title", "member__user").order_by("pk"):
        notify(
            user=nomination.member.user,
            event="honours.publicity_started",
            key=f"honours.publicity_started:{nomination.pk}",
            context={
                "title": nomination.title.name,
                "starts_on": round_.publicity_starts_on,
                "ends_on": round_.publicity_ends_on,
            },
            link=link("contests:notice"),
        )
    return round_


@transaction.atomic
def objection_record(
    *, nomination: Nomination, by, content: str, raised_by: str = "", received_on: dt.date | None = None
) -> Objection:
    """Record an objection received during the public notice."""
    require_perm(by, "competitions.add_objection")
    require_visible(by, nomination)
    received_on = received_on or timezone.localdate()
    round_ = _lock_round(nomination.round)
    nomination = _lock_nomination(nomination)
    if round_.status != RoundStatus.PUBLICITY:
        raise invalid(_("Objections are received during the public notice."), code="wrong_state")
    if received_on > timezone.localdate():
        raise invalid(_("The date cannot be in the future."), "received_on")
    if not round_.publicity_starts_on <= received_on <= round_.publicity_ends_on:
        raise invalid(
            _("The public notice ran from %(start)s to %(end)s."),
            "received_on",
            start=round_.publicity_starts_on,
            end=round_.publicity_ends_on,
        )
    if nomination.state != NominationState.SHORTLISTED:
        raise invalid(_("Only a shortlisted nomination is under public notice."), code="wrong_state")
    return Objection.objects.create(
        nomination=nomination,
        received_on=received_on,
        raised_by=text(raised_by, "raised_by", required=False, limit=100),
        content=text(content, "content", limit=5000, multiline=True),
        recorded_by=by,
    )


OBJECTIONS_PER_PERSON = 3


@transaction.atomic
def objection_raise(*, nomination: Nomination, by, content: str, raised_by: str = "") -> Objection:
    """Someone signed in to the portal raises an objection to a nomination under public notice today.

    Anyone may object (the notice is public); the objection is kept with who raised it (staff see it,
    the public page never shows it) and staff who resolve objections are told. At most
    :data:`OBJECTIONS_PER_PERSON` open objections per person and nomination."""
    if by is None or not by.is_authenticated:
        raise PermissionDeniedError(_("Sign in to raise an objection."))
    today = timezone.localdate()
    round_ = _lock_round(nomination.round)
    nomination = _lock_nomination(nomination)
    if (
        round_.status != RoundStatus.PUBLICITY
        or nomination.state != NominationState.SHORTLISTED
        or not round_.publicity_starts_on <= today <= round_.publicity_ends_on
    ):
        raise invalid(_("This nomination is not under public notice now."), code="wrong_state")
    content = text(content, "content", limit=5000, multiline=True)
    open_ones = Objection.objects.filter(
        nomination=nomination, recorded_by=by, state=ObjectionState.OPEN
    ).count()
    if open_ones >= OBJECTIONS_PER_PERSON:
        raise invalid(
            _("You already have %(n)d objections to this nomination being looked into."),
            "content",
            code="too_many",
            n=open_ones,
        )
    objection = Objection.objects.create(
        nomination=nomination,
        received_on=today,
        raised_by=text(raised_by, "raised_by", required=False, limit=100),
        content=content,
        recorded_by=by,
        raised_in_portal=True,
    )
    notify(
        user=by,
        event="honours.objection_received",
        key=f"honours.objection_received:{objection.pk}",
        context={"title": nomination.title.name, "nominee": nomination.masked_holder_name},
        link=link("contests:notice"),
    )
    for staff in _objection_resolvers(nomination.union):
        notify(
            user=staff,
            event="honours.objection_raised",
            key=f"honours.objection_raised:{objection.pk}:{staff.pk}",
            context={"title": nomination.title.name, "nominee": nomination.masked_holder_name},
            link=_admin_link("admin:competitions_objection_change", objection.pk),
        )
    return objection


def _objection_resolvers(union: Organisation) -> list:
    """Active staff who may resolve objections and whose node is the union or above it."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    steplen = Organisation.steplen
    ancestors = [union.path[:i] for i in range(steplen, len(union.path) + 1, steplen)]
    perm = Q(
        groups__permissions__codename="resolve_objection",
        groups__permissions__content_type__app_label="competitions",
    ) | Q(
        user_permissions__codename="resolve_objection",
        user_permissions__content_type__app_label="competitions",
    )
    return list(
        get_user_model()
        .objects.filter(perm, is_active=True, is_staff=True, organisation__path__in=ancestors)
        .distinct()
        .order_by("pk")
    )


def _admin_link(name: str, *args) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@transaction.atomic
def objection_resolve(*, objection: Objection, by, upheld: bool, resolution: str) -> Objection:
    """Resolve an objection with a note; an upheld objection stops the nomination."""
    require_perm(by, "competitions.resolve_objection")
    require_visible(by, objection)
    resolution = text(resolution, "resolution")
    _lock_round(objection.nomination.round)
    nomination = _lock_nomination(objection.nomination)
    objection = Objection.objects.select_for_update(of=("self",)).get(pk=objection.pk)
    target = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    if objection.state == target:
        return objection
    if objection.state != ObjectionState.OPEN:
        raise invalid(_("This objection is already resolved."), code="wrong_state")
    objection.state = target
    objection.resolution = resolution
    objection.resolved_by = by
    objection.resolved_at = timezone.now()
    objection._change_reason = resolution[:100]
    objection.save(update_fields=["state", "resolution", "resolved_by", "resolved_at"])
    if upheld and nomination.state == NominationState.SHORTLISTED:
        _move(nomination, NominationState.STOPPED, by=by, note=resolution)
    if objection.raised_in_portal:
        notify(
            user=objection.recorded_by,
            event="honours.objection_resolved",
            key=f"honours.objection_resolved:{objection.pk}",
            context={
                "title": nomination.title.name,
                "nominee": nomination.masked_holder_name,
                "outcome": str(ObjectionState(target).label),
                "resolution": resolution,
            },
            link=link("contests:notice"),
        )
    return objection


@transaction.atomic
def round_conclude(*, round_: NominationRound, by, on: dt.date | None = None) -> list[Honour]:
    """After the public notice, with every objection resolved, confer the titles of the shortlist."""
    require_perm(by, "competitions.confer_nominationround")
    require_visible(by, round_)
    round_ = _lock_round(round_)
    on = on or timezone.localdate()
    if round_.status == RoundStatus.CONCLUDED:
        return []
    if round_.status != RoundStatus.PUBLICITY:
        raise invalid(_("A round is concluded after its public notice."), code="wrong_state")
    if on <= round_.publicity_ends_on:
        raise invalid(
            _("The public notice runs until %(end)s."), code="publicity_running", end=round_.publicity_ends_on
        )
    if Objection.objects.filter(nomination__round=round_, state=ObjectionState.OPEN).exists():
        raise invalid(_("Resolve every objection first."), code="objections_open")
    honours = []
    shortlisted = Nomination.objects.filter(round=round_, state=NominationState.SHORTLISTED).order_by("pk")
    for nomination in shortlisted.select_for_update(of=("self",)).select_related(
        "title", "member__user", "union", "round__organisation"
    ):
        _move(nomination, NominationState.CONFERRED, by=by)
        honour = Honour.objects.create(
            title=nomination.title,
            holder_kind=nomination.holder_kind,
            member=nomination.member,
            holder_name=nomination.holder_name,
            organisation=nomination.union,
            conferred_on=on,
            nomination=nomination,
            recorded_by=by,
        )
        _issue_certificate(honour, by, issuer=round_.organisation.name)
        if nomination.member_id and nomination.member.user_id:
            notify(
                user=nomination.member.user,
                event="honours.conferred",
                key=f"honours.conferred:{honour.pk}",
                context={"title": nomination.title.name},
                link=link("contests:honours"),
            )
        webhook_emit("honour.conferred", honour)
        honours.append(honour)
    round_.status = RoundStatus.CONCLUDED
    round_.concluded_on = on
    round_._change_reason = "concluded"
    round_.save(update_fields=["status", "concluded_on"])
    return honours


def _issue_certificate(honour: Honour, by, *, issuer: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Conferred the title of %(title)s in %(year)s") % {
            "title": honour.title.name,
            "year": honour.conferred_on.year,
        }
        title = _("Certificate of honour")
    certificate_issue(
        by=by,
        kind=CERTIFICATE_KIND,
        source=honour,
        holder_name=honour.holder_name,
        holder_user=honour.member.user if honour.member_id else None,
        holder_is_person=honour.holder_kind == HolderKind.PERSON,
        title=str(title),
        subject=str(subject),
        issuer=issuer,
        organisation=honour.organisation,
        issued_on=honour.conferred_on if honour.conferred_on <= timezone.localdate() else None,
        template="competitions/certificate.html",
        context={"award": honour.title.name},
    )


# --- the register ---------------------------------------------------------------------------------------------


@transaction.atomic
def honour_record(
    *,
    title: HonourTitle,
    by,
    organisation: Organisation,
    conferred_on: dt.date,
    member: Member | None = None,
    holder_name: str = "",
) -> Honour:
    """Enter an honour conferred in the past (or elsewhere) in the register."""
    require_perm(by, "competitions.add_honour")
    require_visible(by, organisation)
    if conferred_on > timezone.localdate():
        raise invalid(_("The date cannot be in the future."), "conferred_on")
    if title.holder_kind == HolderKind.PERSON:
        if member is None:
            raise invalid(_("Choose the member."), "member")
        require_visible(by, member)
        holder_name = member.name
    else:
        member = None
        holder_name = text(holder_name, "holder_name", limit=100)
    if (
        member is not None
        and Honour.objects.filter(title=title, member=member, conferred_on=conferred_on).exists()
    ):
        raise invalid(_("This honour is already in the register."), "title", code="duplicate")
    honour = Honour.objects.create(
        title=title,
        holder_kind=title.holder_kind,
        member=member,
        holder_name=holder_name,
        organisation=organisation,
        conferred_on=conferred_on,
        recorded_by=by,
    )
    webhook_emit("honour.conferred", honour)
    return honour


@transaction.atomic
def honour_revoke(*, honour: Honour, by, reason: str) -> Honour:
    """Withdraw an honour (撤销称号): the register keeps it as revoked and its certificate is revoked."""
    require_perm(by, "competitions.change_honour")
    require_visible(by, honour)
    reason = text(reason, "reason")
    honour = Honour.objects.select_for_update(of=("self",)).get(pk=honour.pk)
    if honour.status == HonourStatus.REVOKED:
        return honour
    honour.status = HonourStatus.REVOKED
    honour.revoke_reason = reason
    honour._change_reason = reason[:100]
    honour.save(update_fields=["status", "revoke_reason"])
    for certificate in certificates_for(honour, kind=CERTIFICATE_KIND).filter(revoked_at__isnull=True):
        certificate_revoke(certificate=certificate, by=None, reason=reason)
    return honour


# --- model-worker care, studios, mentor pairs --------------------------------------------------------------


@transaction.atomic
def care_record(
    *, honour: Honour, by, kind: str, on: dt.date, amount: Decimal | None = None, note: str = ""
) -> CareRecord:
    """Record a visit, a health check or an allowance for a model worker."""
    require_perm(by, "competitions.add_carerecord")
    require_visible(by, honour)
    if kind not in CareKind.values:
        raise invalid(_("Choose the kind of care."), "kind")
    if on > timezone.localdate():
        raise invalid(_("The date cannot be in the future."), "on")
    if kind == CareKind.ALLOWANCE and (amount is None or amount <= 0):
        raise invalid(_("An allowance needs its amount."), "amount")
    if amount is not None and amount < 0:
        raise invalid(_("Enter a number of 0 or more."), "amount")
    return CareRecord.objects.create(
        honour=honour,
        kind=kind,
        on=on,
        amount=amount,
        note=text(note, "note", required=False),
        recorded_by=by,
    )


@transaction.atomic
def studio_save(*, studio: Studio, by) -> Studio:
    require_perm(by, "competitions.change_studio" if studio.pk else "competitions.add_studio")
    require_visible(by, studio.organisation)
    if studio.pk:
        require_visible(by, studio)
    studio.name = text(studio.name, "name", limit=100)
    studio.namesake_name = text(studio.namesake_name, "namesake_name", limit=50)
    studio.save()
    return studio


@transaction.atomic
def mentor_pair_save(*, pair: MentorPair, by) -> MentorPair:
    require_perm(by, "competitions.change_mentorpair" if pair.pk else "competitions.add_mentorpair")
    require_visible(by, pair.organisation)
    require_visible(by, pair.mentor)
    require_visible(by, pair.apprentice)
    if pair.pk:
        require_visible(by, pair)
    if pair.mentor_id == pair.apprentice_id:
        raise invalid(_("A mentor cannot be their own apprentice."), "apprentice")
    if pair.ends_on < pair.starts_on:
        raise invalid(_("The term cannot end before it starts."), "ends_on")
    pair.occupation = text(pair.occupation, "occupation", limit=50)
    pair.goals = text(pair.goals, "goals", limit=5000, multiline=True)
    pair.outcome = text(pair.outcome, "outcome", required=False)
    try:
        with transaction.atomic():
            pair.save()
    except IntegrityError:
        raise invalid(
            _("This mentor and apprentice are already paired from that day."), "apprentice", code="duplicate"
        ) from None
    return pair


@transaction.atomic
def mentor_pair_conclude(*, pair: MentorPair, by, outcome: str) -> MentorPair:
    """End a mentor-apprentice pair with its outcome (certificates gained, skills reached); the mentor and
    the apprentice are told. Safe to call twice."""
    require_perm(by, "competitions.change_mentorpair")
    require_visible(by, pair)
    outcome = text(outcome, "outcome")
    pair = (
        MentorPair.objects.select_for_update(of=("self",))
        .select_related("mentor__user", "apprentice__user")
        .get(pk=pair.pk)
    )
    if pair.status == ActiveState.ENDED:
        return pair
    pair.outcome = outcome
    pair.status = ActiveState.ENDED
    pair._change_reason = outcome[:100]
    pair.save(update_fields=["outcome", "status"])
    for person in (pair.mentor, pair.apprentice):
        if person.user_id:
            notify(
                user=person.user,
                event="honours.mentor_pair_concluded",
                key=f"honours.mentor_pair_concluded:{pair.pk}:{person.pk}",
                context={"occupation": pair.occupation, "outcome": outcome},
                link=link("contests:home"),
            )
    return pair
