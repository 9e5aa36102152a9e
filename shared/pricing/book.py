"""Promotions indexed by product and category, so a cart only meets the ones that can touch it."""

from __future__ import annotations

from collections.abc import Iterable

from shared.pricing.types import PricingInputError, Promotion, PromotionKind, PromotionTarget


def priority_key(promotion: Promotion) -> tuple[int, str]:
    """Evaluation order: higher priority first, then promotion id, so ties are deterministic."""
    return (-promotion.priority, promotion.promotion_id)


class PromotionBook:
    """An immutable, indexed set of promotions: build once per catalog version, reuse per cart."""

    __slots__ = ("_by_category", "_by_product", "_entries", "_order_wide", "_promotions")

    def __init__(self, promotions: Iterable[Promotion]) -> None:
        ordered = sorted(promotions, key=priority_key)
        seen: set[str] = set()
        for promotion in ordered:
            if not isinstance(promotion, Promotion):
                raise PricingInputError(
                    f"expected a Promotion, got {type(promotion).__name__}", field="promotions"
                )
            if promotion.promotion_id in seen:
                raise PricingInputError(
                    f"promotion {promotion.promotion_id!r} appears twice",
                    field="promotions",
                    code="duplicate",
                )
            seen.add(promotion.promotion_id)
        self._promotions: tuple[Promotion, ...] = tuple(ordered)
        self._by_product: dict[str, list[int]] = {}
        self._by_category: dict[str, list[int]] = {}
        self._order_wide: tuple[int, ...] = ()
        order_wide: list[int] = []
        for index, promotion in enumerate(self._promotions):
            if promotion.kind is PromotionKind.BUNDLE:
                for item in promotion.bundle_items:
                    self._by_product.setdefault(item.product_id, []).append(index)
            elif promotion.target is PromotionTarget.PRODUCT:
                for product_id in promotion.target_ids:
                    self._by_product.setdefault(product_id, []).append(index)
            elif promotion.target is PromotionTarget.CATEGORY:
                for category_id in promotion.target_ids:
                    self._by_category.setdefault(category_id, []).append(index)
            else:
                order_wide.append(index)
        self._order_wide = tuple(order_wide)
        # Filled on first use: a book built for one cart only needs the entries it meets.
        self._entries: list[BookEntry | None] = [None] * len(self._promotions)

    @property
    def promotions(self) -> tuple[Promotion, ...]:
        """All promotions in evaluation order."""
        return self._promotions

    def __len__(self) -> int:
        return len(self._promotions)

    def relevant(
        self, product_ids: Iterable[str], category_ids: Iterable[str | None]
    ) -> list[Promotion]:
        """Promotions that could touch a cart with these products and categories, in order."""
        promotions = self._promotions
        return [promotions[index] for index in self._indexes(product_ids, category_ids)]

    def relevant_entries(
        self, product_ids: Iterable[str], category_ids: Iterable[str | None]
    ) -> list[BookEntry]:
        """relevant() with what the engine looks up per promotion, precomputed (see BookEntry)."""
        entries = self._entries
        found: list[BookEntry] = []
        for index in self._indexes(product_ids, category_ids):
            entry = entries[index]
            if entry is None:
                entry = entries[index] = _entry(self._promotions[index])
            found.append(entry)
        return found

    def _indexes(self, product_ids: Iterable[str], category_ids: Iterable[str | None]) -> list[int]:
        indexes: set[int] = set(self._order_wide)
        by_product = self._by_product
        for product_id in product_ids:
            found = by_product.get(product_id)
            if found:
                indexes.update(found)
        by_category = self._by_category
        for category_id in category_ids:
            if category_id is not None:
                found = by_category.get(category_id)
                if found:
                    indexes.update(found)
        return sorted(indexes)


LOOKS_AT_ORDER, LOOKS_AT_PRODUCTS, LOOKS_AT_CATEGORIES, LOOKS_AT_BUNDLE = range(4)
"""BookEntry.looks_at: which lines a promotion targets (the whole order, products, ...)."""

BookEntry = tuple[Promotion, bool, int, tuple[str, ...]]
"""(promotion, unconditional, looks_at, keys), computed once per book.

unconditional: no date, customer, spend or time condition, so always eligible;
looks_at: one of the LOOKS_AT_ constants; keys: the product or category ids it looks up
(a bundle's product ids in item order).
"""


def _entry(promotion: Promotion) -> BookEntry:
    unconditional = (
        not promotion.windows
        and not promotion.min_spend_minor
        and not promotion.customer_group_ids
        and promotion.valid_from is None
        and promotion.valid_until is None
    )
    if promotion.kind is PromotionKind.BUNDLE:
        keys = tuple(item.product_id for item in promotion.bundle_items)
        return (promotion, unconditional, LOOKS_AT_BUNDLE, keys)
    if promotion.target is PromotionTarget.PRODUCT:
        return (promotion, unconditional, LOOKS_AT_PRODUCTS, tuple(sorted(promotion.target_ids)))
    if promotion.target is PromotionTarget.CATEGORY:
        return (promotion, unconditional, LOOKS_AT_CATEGORIES, tuple(sorted(promotion.target_ids)))
    return (promotion, unconditional, LOOKS_AT_ORDER, ())
