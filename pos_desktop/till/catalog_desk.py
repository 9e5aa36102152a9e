"""The catalog desk: the priced catalog in memory, its tiles and tabs, and who sells here."""

from __future__ import annotations

from collections.abc import Sequence

from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.denominations import denominations_for
from pos_desktop.services.errors import ServiceError
from pos_desktop.store.models import Product
from pos_desktop.store.settings import SettingKey, get_mapping, get_setting
from pos_desktop.sync.images import fetch_missing_images, image_file
from pos_desktop.till.context import TillContext, refuse
from pos_desktop.till.views import (
    CategoryView,
    ModifierGroupView,
    ModifierOptionView,
    ProductView,
    TenantView,
)
from shared.protocol import TenantSettingsV1


class CatalogDesk:
    """The snapshot the cart prices with, read once per catalog version, and its views."""

    def __init__(self, context: TillContext) -> None:
        self._context = context
        self.terminal = context.terminal
        self._snapshot: CatalogSnapshot | None = None
        self._by_code: dict[str, str] = {}
        self._tenant_view: TenantView | None = None

    def forget(self) -> None:
        """A new catalog arrived (pairing, demo set-up): read it again next time."""
        self._snapshot = None

    def tenant(self) -> TenantView:
        """Kept in memory until the catalog changes: screens ask for it on the UI thread."""
        if self._tenant_view is None:
            self._tenant_view = self._read_tenant()
        return self._tenant_view

    def _read_tenant(self) -> TenantView:
        with self.terminal.uow() as uow:
            tenant = TenantSettingsV1.model_validate(get_setting(uow.session, SettingKey.TENANT))
            outlet = get_mapping(uow.session, SettingKey.OUTLET)
        identity = self.terminal.identity()
        return TenantView(
            name=tenant.name,
            outlet_name=str(outlet.get("name", "")),
            terminal_name=identity.terminal_code if identity else "",
            currency=tenant.currency,
            locale=tenant.locale,
            cash_rounding_step_minor=tenant.cash_rounding_step_minor,
            denominations_minor=denominations_for(tenant.currency),
            time_zone=tenant.time_zone,
        )

    def snapshot(self) -> CatalogSnapshot:
        """The catalog as priced now, reloaded when a catalog pull moved the version."""
        with self.terminal.uow() as uow:
            version = int(get_setting(uow.session, SettingKey.CATALOG_VERSION, 0))
        current = self._snapshot
        if current is not None and current.catalog_version == version:
            return current
        # Load and index outside the lock: a tile tap on the UI thread must not wait for it.
        with self.terminal.uow() as uow:
            try:
                loaded = CatalogSnapshot.load(uow.session)
            except ServiceError as error:
                raise refuse(error) from error
        by_code = {
            code: product.id
            for product in loaded.products.values()
            if product.is_active
            for code in (product.barcode, product.sku)
            if code
        }
        tenant = self._read_tenant()  # the pull may have changed it; replaced, never cleared
        with self._context.lock:
            current = self._snapshot
            if current is not None and current.catalog_version > loaded.catalog_version:
                return current  # another thread swapped in a newer catalog meanwhile
            self._snapshot, self._by_code, self._tenant_view = loaded, by_code, tenant
            return loaded

    def loaded(self) -> CatalogSnapshot:
        """The snapshot in memory, read from disk only the first time (cart and scanner path)."""
        return self._snapshot if self._snapshot is not None else self.snapshot()

    def categories(self) -> Sequence[CategoryView]:
        ordered = sorted(self.snapshot().categories.values(), key=lambda c: (c.sort_order, c.name))
        return [CategoryView(c.id, c.name) for c in ordered]

    def products(self) -> Sequence[ProductView]:
        """Active products by name; pictures not on disk yet are fetched first (off the UI
        thread: the sell screen loads the catalog in the background)."""
        ordered = [
            p
            for p in sorted(self.snapshot().products.values(), key=lambda p: p.name.casefold())
            if p.is_active
        ]
        data_dir = self.terminal.data_dir
        identity = self.terminal.identity()
        if identity is not None and identity.server_url:
            fetch_missing_images(data_dir, identity.server_url, (p.image_url for p in ordered))
        return [_product_view(p, self._image_path(p.image_url)) for p in ordered]

    def _image_path(self, image_url: str) -> str:
        """The product picture's file on this terminal, "" when there is none (yet)."""
        if not image_url:
            return ""
        path = image_file(self.terminal.data_dir, image_url)
        return str(path) if path.exists() else ""

    def modifier_groups(self, product_id: str) -> Sequence[ModifierGroupView]:
        snapshot = self.loaded()
        product = snapshot.products.get(product_id)
        if product is None:
            return []
        groups = []
        for group_id in product.modifier_group_ids:
            group = snapshot.modifier_groups.get(group_id)
            if group is None:
                continue
            options = tuple(
                ModifierOptionView(o.id, o.name, o.price_delta_minor, o.is_default)
                for o in snapshot.modifier_options.values()
                if o.group_id == group_id
            )
            groups.append(
                ModifierGroupView(group.id, group.name, group.min_select, group.max_select, options)
            )
        return groups

    def product_by_barcode(self, barcode: str) -> ProductView | None:
        snapshot = self.loaded()
        product_id = self._by_code.get(barcode.strip())
        if product_id is None:
            return None
        product = snapshot.products[product_id]
        return _product_view(product, self._image_path(product.image_url))


def _product_view(product: Product, image_path: str = "") -> ProductView:
    return ProductView(
        id=product.id,
        name=product.name,
        price_minor=product.price_minor,
        category_id=product.category_id,
        barcode=product.barcode,
        sku=product.sku,
        has_modifiers=bool(product.modifier_group_ids),
        image_path=image_path,
        colour=product.colour,
    )
