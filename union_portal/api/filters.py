"""Filter backends shared by every API list."""

from __future__ import annotations

from rest_framework.filters import OrderingFilter


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` over the view's ``ordering_fields``, with two additions.

    - A public name may stand for other columns: ``ordering_aliases = {"name": ("name_pinyin", "name")}``
      sorts Chinese names by their pinyin, which is what people expect of "by name".
    - The primary key is always the last key, so that pages of a list never overlap or skip rows.
    """

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        aliases = getattr(view, "ordering_aliases", {})
        columns: list[str] = []
        for term in ordering:
            descending = term.startswith("-")
            for column in aliases.get(term.lstrip("-"), (term.lstrip("-"),)):
                columns.append(f"-{column}" if descending else column)
        if not any(column.lstrip("-") in ("pk", "id") for column in columns):
            columns.append("pk")
        return queryset.order_by(*columns)
