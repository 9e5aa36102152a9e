"""Pure pricing and promotion engine: a cart in, a priced cart with every cent explained out.

The terminal prices live with it and the server re-prices every synced order with
it, so both sides agree to the minor unit. Frozen dataclasses in and out, integer
money, no I/O, no clock (the moment is an argument)::

    from datetime import datetime, timezone
    from shared.pricing import Cart, CartLine, Promotion, PromotionKind, price_cart
    from shared.tax import TaxRate

    cart = Cart("IDR", (CartLine("l1", "latte", quantity=2, unit_price_minor=25_000,
                                 tax_rate_ids=("pb1",)),))
    priced = price_cart(
        cart,
        at=datetime.now(timezone.utc),
        time_zone="Asia/Jakarta",
        promotions=(Promotion("p1", "10% off", PromotionKind.PERCENT_OFF, percent_bp=1000),),
        tax_rates=(TaxRate("pb1", "PB1", 1000, inclusive=True),),
    )
    priced.total_minor  # 45000; priced.lines[0].discounts names "10% off"

For many calls against the same promotions build a PromotionBook once and pass it
as `promotions`: it indexes them by product and category.
"""

from shared.pricing.book import PromotionBook
from shared.pricing.engine import price_cart
from shared.pricing.serialization import (
    promotion_from_dict,
    promotion_to_dict,
)
from shared.pricing.types import (
    AppliedDiscount,
    BundleItem,
    Cart,
    CartLine,
    CashRounding,
    Customer,
    DiscountKind,
    DiscountSource,
    ManualDiscount,
    Modifier,
    PricedCart,
    PricedLine,
    PricingInputError,
    Promotion,
    PromotionFormatError,
    PromotionKind,
    PromotionTarget,
    PromotionTotal,
    TimeWindow,
)
from shared.rounding import RoundingRule
from shared.tax import (
    AppliedTax,
    ServiceCharge,
    TaxRate,
    TaxTotal,
    service_charge_from_dict,
    service_charge_to_dict,
    tax_rate_from_dict,
    tax_rate_to_dict,
)

__all__ = [
    "AppliedDiscount",
    "AppliedTax",
    "BundleItem",
    "Cart",
    "CartLine",
    "CashRounding",
    "Customer",
    "DiscountKind",
    "DiscountSource",
    "ManualDiscount",
    "Modifier",
    "PricedCart",
    "PricedLine",
    "PricingInputError",
    "Promotion",
    "PromotionBook",
    "PromotionFormatError",
    "PromotionKind",
    "PromotionTarget",
    "PromotionTotal",
    "RoundingRule",
    "ServiceCharge",
    "TaxRate",
    "TaxTotal",
    "TimeWindow",
    "price_cart",
    "promotion_from_dict",
    "promotion_to_dict",
    "service_charge_from_dict",
    "service_charge_to_dict",
    "tax_rate_from_dict",
    "tax_rate_to_dict",
]
