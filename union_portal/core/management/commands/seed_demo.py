from django.apps import apps
from django.core.management.base import BaseCommand

from union_portal.core.demo import seed


class Command(BaseCommand):
    help = "Build the demo district (三水区总工会): every app's demo.build. Safe to run again: only what is missing is made."

    def add_arguments(self, parser):
        parser.add_argument(
            "--members", type=int, default=2000, help="How many members to make (default 2000)."
        )

    def handle(self, *args, members, **options):
        ctx = seed(members=members)
        organisations = apps.get_model("organisations.Organisation").objects.count()
        enterprises = apps.get_model("organisations.Enterprise").objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo district ready: {organisations} organisations, {enterprises} enterprises."
            )
        )
        for line in ctx.log:
            self.stdout.write(f"  {line}")
        self.stdout.write("Demo users (log in at /admin/ for staff, /portal/ for the others):")
        width = max(len(u) for u in ctx.users)
        for username, (_user, password, what) in ctx.users.items():
            self.stdout.write(f"  {username.ljust(width)}  {password}  {what}")
