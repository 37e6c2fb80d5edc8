"""The search key of bulk imports: :func:`taizhang.lib.text.search_key` itself, which skips OpenCC's
conversion for text it cannot change (the tests compare it with the conversion on simplified,
traditional and mixed text)."""

from taizhang.lib.text import search_key

__all__ = ["item_search_text", "search_key"]


def item_search_text(item) -> str:
    """What Item.refresh_search_text stores (the same fields; a test keeps the two in step)."""
    return search_key(item.code, item.title, item.content, item.measures, item.lead, item.owner, item.due_text)
