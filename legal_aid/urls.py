"""Legal aid in the portal, mounted at /portal/legal/ with the namespace ``legal``."""

from django.urls import path

from . import portal

app_name = "legal"
PORTAL_PREFIX = "legal/"

urlpatterns = [
    path("", portal.home, name="home"),
    path("shifts/<int:pk>/", portal.shift, name="shift"),
    path("shifts/<int:pk>/confirm/", portal.shift_confirm, name="shift_confirm"),
    path("shifts/<int:pk>/swap/", portal.shift_swap, name="shift_swap"),
    path("shifts/<int:pk>/absent/", portal.shift_absent, name="shift_absent"),
    path("swaps/", portal.swaps, name="swaps"),
    path("swaps/<int:pk>/accept/", portal.swap_accept, name="swap_accept"),
    path("swaps/<int:pk>/decline/", portal.swap_decline, name="swap_decline"),
    path("consultations/new/", portal.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", portal.consultation, name="consultation"),
    path("enterprise-events/new/", portal.event_new, name="event_new"),
    path("ask/", portal.ask, name="ask"),
    path("request-aid/", portal.request_aid, name="request_aid"),
    path("cases/<int:pk>/", portal.case, name="case"),
    path("calendar/renew/", portal.calendar_renew, name="calendar_renew"),
    path("calendar/<str:token>.ics", portal.calendar_feed, name="calendar"),
]
