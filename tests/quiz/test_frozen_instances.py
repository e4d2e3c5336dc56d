"""FrozenQuery builds its instances without ``Model.__init__`` where that gives the same instance
(``union_portal.core.frozen._builder``), and with ``from_db`` where it may not."""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_init
from django.test.utils import isolate_apps

from competitions.quiz import services
from competitions.quiz.models import AttemptQuestion
from competitions.quiz.services.attempts import _OWN_DRAWN
from union_portal.core.frozen import _builder, _instance

from .factories import make_player


def _same(built, queried) -> None:
    assert type(built) is type(queried)
    assert {k: v for k, v in vars(built).items() if k != "_state"} == {
        k: v for k, v in vars(queried).items() if k != "_state"
    }
    assert (built._state.adding, built._state.db) == (False, "default")


def test_the_frozen_rows_are_the_querysets_rows(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    built = _OWN_DRAWN.all(pk=attempt.pk, user_id=player.user_id)
    queried = list(
        AttemptQuestion.objects.filter(attempt=attempt)
        .select_related("attempt__participant", "question")
        .order_by("position")
    )
    assert len(built) == len(queried) == 5
    for row, expected in zip(built, queried, strict=True):
        _same(row, expected)
        _same(row.question, expected.question)
        _same(row.attempt, expected.attempt)
        _same(row.attempt.participant, expected.attempt.participant)
        assert row.attempt is built[0].attempt  # shared
    row = built[0]
    row.chosen = [1]
    row.question_id = row.question_id  # the foreign key's descriptor still works on a built instance
    assert row.question.pk == row.question_id


@isolate_apps("competitions.quiz")
def test_a_model_with_its_own_init_from_db_or_field_descriptor_is_built_by_from_db():
    class OwnInit(models.Model):
        name = models.CharField(max_length=5)

        class Meta:
            app_label = "quiz"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.seen = True

    class OwnDescriptor(models.Model):
        name = models.CharField(max_length=5)

        class Meta:
            app_label = "quiz"

    class OwnFromDb(models.Model):
        name = models.CharField(max_length=5)

        class Meta:
            app_label = "quiz"

        @classmethod
        def from_db(cls, db, field_names, values):
            return super().from_db(db, field_names, values)

    OwnDescriptor.name = property(lambda self: "x", lambda self, value: None)
    assert _builder(OwnFromDb) is None
    assert _builder(OwnInit) is None
    assert _builder(OwnDescriptor) is None
    assert _builder(AttemptQuestion) is not None


def test_a_connected_init_signal_is_sent(tree, quiz):
    player = make_player(quiz, tree.union_a)
    attempt = services.attempt_start(participant=player, by=player.user)
    sent = []

    def receiver(sender, instance, **kwargs):
        sent.append(sender)

    post_init.connect(receiver, sender=AttemptQuestion)
    try:
        _OWN_DRAWN.all(pk=attempt.pk, user_id=player.user_id)
    finally:
        post_init.disconnect(receiver, sender=AttemptQuestion)
    assert sent.count(AttemptQuestion) == 5
    assert _instance(AttemptQuestion) is not AttemptQuestion.from_db  # the fast path, which stepped aside
