"""factory_boy factories for every model. Domain tests may add their own in tests/<app>/conftest.py."""

import factory
from django.utils import timezone
from django.utils.text import slugify

from feedback.models import Comment, Feedback, Kind, Tag, Vote
from movements.models import Membership, Movement, Role
from people.models import Department, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    job_title = "Engineer"
    department = factory.SubFactory(DepartmentFactory)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MovementFactory(factory.django.DjangoModelFactory):
    """A movement with its founder as member number 1 and lead."""

    class Meta:
        model = Movement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Movement {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    pitch = "Why it matters."
    problem = "The problem."
    founder = factory.SubFactory(UserFactory)

    @factory.post_generation
    def founder_membership(obj, create, extracted, **kwargs):
        if create:
            Membership.objects.create(
                movement=obj, person=obj.founder, position=1, is_lead=True, joined_at=obj.created_at
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    movement = factory.SubFactory(MovementFactory)
    person = factory.SubFactory(UserFactory)
    position = factory.LazyAttribute(lambda o: Membership.objects.filter(movement=o.movement).count() + 1)
    joined_at = factory.LazyFunction(timezone.now)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    movement = factory.SubFactory(MovementFactory)
    name = factory.Sequence(lambda n: f"Role {n}")
    description = "What it involves."
    seats = 2


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    kind = Kind.WORKS
    title = factory.Sequence(lambda n: f"Feedback {n}")
    body = "Body text."
    body_html = "<p>Body text.</p>"
    author = factory.SubFactory(UserFactory)


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    feedback = factory.SubFactory(FeedbackFactory)
    person = factory.SubFactory(UserFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    feedback = factory.SubFactory(FeedbackFactory)
    author = factory.SubFactory(UserFactory)
    body = "A comment."
