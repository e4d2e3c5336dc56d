from django.core.management.base import BaseCommand

from members.demo import seed


class Command(BaseCommand):
    help = "Build the demo district (三水区总工会). Safe to run again: only what is missing is made."

    def add_arguments(self, parser):
        parser.add_argument(
            "--members", type=int, default=2000, help="How many members to make (default 2000)."
        )

    def handle(self, *args, members, **options):
        ctx = seed(members=members)
        from members.models import Member
        from union_portal.organisations.models import Enterprise, Organisation

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo district ready: {Organisation.objects.count()} organisations, "
                f"{Enterprise.objects.count()} enterprises, {Member.objects.count()} members."
            )
        )
        self.stdout.write("Demo users (log in at /admin/ for staff, /portal/ for the others):")
        width = max(len(u) for u in ctx.users)
        for username, (_user, password, what) in ctx.users.items():
            self.stdout.write(f"  {username.ljust(width)}  {password}  {what}")
