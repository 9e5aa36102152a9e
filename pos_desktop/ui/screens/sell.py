"""The sell screen: category tabs, product grid, search as you type, scanner, cart and totals.

About 500 lines on purpose: one screen, the busiest, whose parts (grid, cart, actions) talk
through its own state; every rule it shows is the till's (`SellPort`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from pos_desktop.till.views import (
    ApprovalNeeded,
    CartLineView,
    CartView,
    CategoryView,
    ProductView,
    SaleResult,
    TillError,
)
from pos_desktop.ui.dialogs import (
    CustomerDialog,
    DiscountDialog,
    ManagerPinDialog,
    ModifiersDialog,
    ParkedDialog,
    TextDialog,
    touch_table,
)
from pos_desktop.ui.models import ProductGridModel, cart_model
from pos_desktop.ui.ports import SellPort
from pos_desktop.ui.screens.base import Screen, ScreenContext
from pos_desktop.ui.widgets import TILE_SIZE, ProductTileDelegate, button, label, mnemonic_safe


class SellScreen(Screen):
    """Ring up a sale. Every cart change goes through the till, which prices it live."""

    pay_requested = Signal()
    receipt_requested = Signal(str)

    def __init__(self, context: ScreenContext) -> None:
        super().__init__("sell")
        self._context = context
        self._till: SellPort = context.till
        self._money = context.money
        self._cart = CartView()
        self._last_sale: SaleResult | None = None
        self._category_ids: list[str | None] = []

        self.products = ProductGridModel(self._money)
        self.cart_lines = cart_model(self._money)

        layout = QHBoxLayout(self)
        layout.addLayout(self._build_catalog(), 3)
        layout.addWidget(self._build_cart(), 2)
        self._shortcuts()
        self.load_catalog()
        self._show_cart(self._till.cart())

    # --- layout -----------------------------------------------------------------------

    def _build_catalog(self) -> QVBoxLayout:
        column = QVBoxLayout()
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("sell_search")
        self.search.setPlaceholderText(self.tr("Search name, SKU or scan a barcode  (F2)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._search_entered)
        top.addWidget(self.search, 1)
        column.addLayout(top)
        self.tabs = QTabBar()
        self.tabs.setObjectName("sell_tabs")
        self.tabs.setExpanding(False)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.currentChanged.connect(lambda _index: self._filter(self.search.text()))
        column.addWidget(self.tabs)
        self.grid = QListView()
        self.grid.setObjectName("sell_grid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setGridSize(QSize(TILE_SIZE.width() + 4, TILE_SIZE.height() + 4))
        self.grid.setLayoutMode(QListView.LayoutMode.Batched)
        self.grid.setBatchSize(200)
        self.grid.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.grid.setItemDelegate(ProductTileDelegate(self.grid))
        self.grid.setModel(self.products)
        self.grid.clicked.connect(self._tile_clicked)
        column.addWidget(self.grid, 1)
        self.ready_notice = QFrame()
        self.ready_notice.setObjectName("readyNotice")
        notice_row = QHBoxLayout(self.ready_notice)
        self.ready_label = label("", name="sell_readyText")
        dismiss = button(self.tr("OK"), name="sell_readyDismiss")
        dismiss.clicked.connect(self.ready_notice.hide)
        notice_row.addWidget(self.ready_label, 1)
        notice_row.addWidget(dismiss)
        self.ready_notice.hide()
        column.addWidget(self.ready_notice)
        return column

    def _build_cart(self) -> QWidget:
        panel = QWidget()
        panel.setMinimumWidth(460)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        self.sale_banner = QFrame()
        self.sale_banner.setObjectName("saleBanner")
        banner_row = QHBoxLayout(self.sale_banner)
        self.sale_text = label("", name="sell_saleText")
        self.sale_text.setWordWrap(True)
        receipt = button(self.tr("Receipt"), name="sell_lastReceipt")
        receipt.clicked.connect(self._show_last_receipt)
        banner_row.addWidget(self.sale_text, 1)
        banner_row.addWidget(receipt)
        self.sale_banner.hide()
        column.addWidget(self.sale_banner)

        customer_row = QHBoxLayout()
        self.customer_button = button(self.tr("+ Customer  (F8)"), name="sell_customer")
        self.customer_button.clicked.connect(self._choose_customer)
        self.recall_button = button(self.tr("Held (F7)"), name="sell_recall")
        self.recall_button.clicked.connect(self._recall)
        customer_row.addWidget(self.customer_button, 1)
        customer_row.addWidget(self.recall_button)
        column.addLayout(customer_row)

        self.cart_table = touch_table(self.cart_lines, "sell_cart")
        # Fixed columns and per-row measuring: a tap re-lays out one row, not the whole cart.
        header = self.cart_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 52)
        header.resizeSection(2, 124)
        self.cart_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        column.addWidget(self.cart_table, 1)

        line_row = QHBoxLayout()
        line_actions: list[tuple[str, str, Callable[[], None]]] = [
            ("−", "sell_minus", lambda: self._step_quantity(-1)),
            ("+", "sell_plus", lambda: self._step_quantity(1)),
            (self.tr("Note"), "sell_note", self._edit_note),
            (self.tr("Line %"), "sell_lineDiscount", self._discount_line),
            (self.tr("Order %"), "sell_orderDiscount", self._discount_order),
            (self.tr("Hold"), "sell_park", self._park),
        ]
        for text, name, action in line_actions:
            action_button = button(text, "compact", name=name)
            action_button.setMinimumHeight(56)
            action_button.clicked.connect(action)
            line_row.addWidget(action_button, 1)
        line_row.setSpacing(6)
        column.addLayout(line_row)

        totals = QGridLayout()
        self.total_labels: dict[str, QLabel] = {}
        self.tax_caption = label(self.tr("Tax"))
        rows = [
            ("subtotal", label(self.tr("Subtotal"))),
            ("discount", label(self.tr("Discounts"))),
            ("service", label(self.tr("Service"))),
            ("tax", self.tax_caption),
            ("rounding", label(self.tr("Rounding"))),
        ]
        self.total_captions: dict[str, QLabel] = {}
        for position, (key, caption) in enumerate(rows):
            amount = label("", name=f"sell_{key}")
            amount.setAlignment(Qt.AlignmentFlag.AlignRight)
            row, pair = divmod(position, 2)
            totals.addWidget(caption, row, pair * 2)
            totals.addWidget(amount, row, pair * 2 + 1)
            self.total_labels[key] = amount
            self.total_captions[key] = caption
        totals.setHorizontalSpacing(16)
        self.total = label("", "total", name="sell_total")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        totals.addWidget(label(self.tr("Total")), 3, 0)
        totals.addWidget(self.total, 3, 1, 1, 3)
        column.addLayout(totals)
        column.addWidget(self.error)
        self.pay_button = button("", "primary", name="sell_pay")
        self.pay_button.setMinimumHeight(72)
        self.pay_button.clicked.connect(self._pay)
        column.addWidget(self.pay_button)
        return panel

    def _shortcuts(self) -> None:
        bindings: list[tuple[str, Callable[[], None]]] = [
            ("F2", self.search.setFocus),
            ("F4", self._pay),
            ("F6", self._park),
            ("F7", self._recall),
            ("F8", self._choose_customer),
            ("F9", self._discount_line),
            ("Ctrl++", lambda: self._step_quantity(1)),
            ("Ctrl+=", lambda: self._step_quantity(1)),
            ("Ctrl+-", lambda: self._step_quantity(-1)),
            ("Ctrl+Del", lambda: self._set_quantity(0)),
        ]
        for keys, action in bindings:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)

    # --- catalog ----------------------------------------------------------------------

    def load_catalog(self) -> None:
        """(Re)load categories and products off the UI thread (at start, after a catalog pull)."""
        till = self._till
        self._context.background.run(
            lambda: (list(till.categories()), list(till.products())),
            lambda loaded: self._show_catalog(*loaded),
            self.show_error,
        )

    def _show_catalog(self, categories: list[CategoryView], products: list[ProductView]) -> None:
        current = self._category_ids[self.tabs.currentIndex()] if self._category_ids else None
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self._category_ids = [None]
        self.tabs.addTab(self.tr("All"))
        for category in categories:
            self.tabs.addTab(mnemonic_safe(category.name))  # `Rice & Noodles` keeps its &
            self._category_ids.append(category.id)
        if current in self._category_ids:
            self.tabs.setCurrentIndex(self._category_ids.index(current))
        self.tabs.blockSignals(False)
        self.products.set_products(products)
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        index = self.tabs.currentIndex()
        category = self._category_ids[index] if 0 <= index < len(self._category_ids) else None
        # Searching looks through every category, as cashiers expect from a search box.
        self.products.set_filter(None if text.strip() else category, text)

    def _search_entered(self) -> None:
        """Enter in the search box: a scanned barcode, or the only product left."""
        text = self.search.text().strip()
        if not text:
            return
        if text.isdigit() and self.scan(text):
            return
        shown = self.products.shown()
        if len(shown) == 1:
            self.search.clear()
            self.choose_product(shown[0])

    def scan(self, barcode: str) -> bool:
        """A keyboard-wedge scanner typed `barcode` and Enter: add that product."""
        product = self._till.product_by_barcode(barcode)
        if product is None:
            self.show_error(self.tr("No product with barcode %s.") % barcode)
            return False
        if self.search.text().strip() == barcode:
            self.search.clear()
        self.choose_product(product)
        return True

    def _tile_clicked(self, index: QModelIndex) -> None:
        self.choose_product(self.products.product_at(index.row()))
        if self.search.text():
            self.search.clear()  # found it: the next search starts from scratch

    def choose_product(self, product: ProductView) -> None:
        """A tile or a scan picked a product: ask for modifiers when it has any, then add."""
        if not product.has_modifiers:
            self._cart_call(lambda: self._till.add_to_cart(product.id))
            return
        groups = self._till.modifier_groups(product.id)
        dialog = ModifiersDialog(self, product.name, groups, self._money)
        dialog.accepted.connect(
            lambda: self._cart_call(lambda: self._till.add_to_cart(product.id, dialog.option_ids()))
        )
        self.open_dialog(dialog)

    # --- cart -------------------------------------------------------------------------

    def _cart_call(self, change: Callable[[], CartView]) -> bool:
        """Run a cart change (in memory, priced live: fast enough for the UI thread)."""
        try:
            cart = change()
        except TillError as error:
            self.show_error(error)
            return False
        self._cart_done(cart)
        return True

    def _cart_done(self, cart: CartView) -> None:
        self.clear_error()
        self.sale_banner.hide()
        self._show_cart(cart)

    def _cart_in_background(self, change: Callable[[], CartView]) -> None:
        """A cart change that reads the disk or checks a PIN hash: off the UI thread."""
        self._context.background.run(change, self._cart_done, self.show_error)

    def _approved_call(self, title: str, change: Callable[[str | None], CartView]) -> None:
        """Try a change; if the till wants a manager, ask for the PIN and try again with it."""
        try:
            cart = change(None)
        except ApprovalNeeded:
            dialog = ManagerPinDialog(self, title)
            # PIN hashes are slow on purpose (PBKDF2): check them on the worker thread.
            dialog.accepted.connect(lambda: self._cart_in_background(lambda: change(dialog.pin())))
            self.open_dialog(dialog)
            return
        except TillError as error:
            self.show_error(error)
            return
        self._cart_done(cart)

    def _show_cart(self, cart: CartView) -> None:
        previous = self._selected_line()
        before = {line.line_id: line.quantity for line in self._cart.lines}
        self._cart = cart
        for row in self.cart_lines.update_rows(cart.lines):
            self.cart_table.resizeRowToContents(row)
        money = self._money
        self.total_labels["subtotal"].setText(money(cart.subtotal_minor))
        self.total_labels["discount"].setText(money(-cart.discount_minor))
        self.total_labels["service"].setText(money(cart.service_charge_minor))
        self.total_labels["tax"].setText(money(cart.tax_minor))
        self.total_labels["rounding"].setText(money(cart.cash_rounding_minor))
        for part in (self.total_captions["rounding"], self.total_labels["rounding"]):
            part.setVisible(cart.cash_rounding_minor != 0)
        # One tax charged: its own name, as on the receipt (`PB1 10%`); several: "Tax".
        tax = cart.tax_names[0] if len(cart.tax_names) == 1 else self.tr("Tax")
        self.tax_caption.setText(self.tr("%s (included)") % tax if cart.tax_included else tax)
        # Cash is the usual tender: total and Pay show what the payment screen will ask for.
        self.total.setText(money(cart.cash_total_minor))
        self.customer_button.setText(cart.customer_name or self.tr("+ Customer  (F8)"))
        self.pay_button.setEnabled(not cart.is_empty)
        self.pay_button.setText(
            self.tr("Pay %s  (F4)") % money(cart.cash_total_minor) if cart.lines else self.tr("Pay")
        )
        self._show_held_count()
        ids = [line.line_id for line in cart.lines]
        # The line just added (or grown by adding the same product again) is the one the
        # cashier acts on next: select it; otherwise keep the selection where it was.
        added = [line.line_id for line in cart.lines if line.line_id not in before]
        grown = [
            line.line_id
            for line in cart.lines
            if line.line_id in before and line.quantity > before[line.line_id]
        ]
        if before and (added or len(grown) == 1):
            self.cart_table.selectRow(ids.index((added or grown)[-1]))
        elif previous is not None and previous.line_id in ids:
            self.cart_table.selectRow(ids.index(previous.line_id))
        elif ids:
            self.cart_table.selectRow(len(ids) - 1)

    def _show_held_count(self) -> None:
        count = len(self._till.parked())
        self.recall_button.setText(
            self.tr("Held: %d  (F7)") % count if count else self.tr("Held (F7)")
        )

    def _selected_line(self) -> CartLineView | None:
        rows = self.cart_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._cart.lines):
            return None
        return self._cart.lines[rows[0].row()]

    def select_line(self, row: int) -> None:
        """Select a cart line (by its row), as a tap on it does."""
        self.cart_table.selectRow(row)

    def _step_quantity(self, delta: int) -> None:
        line = self._selected_line()
        if line is not None:
            self._set_quantity(line.quantity + delta)

    def _set_quantity(self, quantity: int) -> None:
        line = self._selected_line()
        if line is not None:
            self._cart_call(lambda: self._till.set_quantity(line.line_id, quantity))

    def _edit_note(self) -> None:
        line = self._selected_line()
        if line is None:
            return
        dialog = TextDialog(
            self, self.tr("Note for %s") % line.name, [(self.tr("Note"), line.note)], "note"
        )
        dialog.accepted.connect(
            lambda: self._cart_call(
                lambda: self._till.set_line_note(line.line_id, dialog.values()[0])
            )
        )
        self.open_dialog(dialog)

    def _discount_line(self) -> None:
        line = self._selected_line()
        if line is None:
            return
        dialog = DiscountDialog(self, self.tr("Discount on %s") % line.name, self._money)
        dialog.accepted.connect(
            lambda: self._approved_call(
                self.tr("Approve discount"),
                lambda pin: self._till.discount_line(
                    line.line_id, dialog.kind(), dialog.value(), pin
                ),
            )
        )
        self.open_dialog(dialog)

    def _discount_order(self) -> None:
        if self._cart.is_empty:
            return
        dialog = DiscountDialog(self, self.tr("Discount on the order"), self._money)
        dialog.accepted.connect(
            lambda: self._approved_call(
                self.tr("Approve discount"),
                lambda pin: self._till.discount_order(dialog.kind(), dialog.value(), pin),
            )
        )
        self.open_dialog(dialog)

    def _choose_customer(self) -> None:
        dialog = CustomerDialog(self, self._till, self._context.background)
        dialog.accepted.connect(
            lambda: self._cart_in_background(
                lambda: self._till.attach_customer(dialog.chosen.id if dialog.chosen else None)
            )
        )
        self.open_dialog(dialog)

    def _park(self) -> None:
        if self._cart.is_empty:
            return
        label_text = self._cart.customer_name or self.tr("Held order")
        self._cart_in_background(lambda: self._till.park(label_text))  # written to disk

    def _recall(self) -> None:
        dialog = ParkedDialog(self, self._till.parked(), self._money, self._till.tenant().time_zone)

        def recall() -> None:
            if dialog.chosen is not None:
                parked_id = dialog.chosen.id
                self._cart_in_background(lambda: self._till.recall(parked_id))

        dialog.accepted.connect(recall)
        self.open_dialog(dialog)

    def _pay(self) -> None:
        if not self._cart.is_empty:
            self.pay_requested.emit()

    # --- after a sale -----------------------------------------------------------------

    def sale_done(self, sale: SaleResult) -> None:
        """The next sale starts at once; the last one stays in a banner with its change."""
        self._last_sale = sale

        def amount(minor: int) -> str:
            return self._money(minor).replace(" ", "\u00a0")  # `Rp 19.800` never wraps

        text = self.tr("Paid %s, receipt %s.") % (amount(sale.total_minor), sale.receipt_number)
        if sale.change_minor:
            text += " " + self.tr("Change: %s") % amount(sale.change_minor)
        self.sale_text.setText(text)
        self.sale_banner.show()
        self._show_cart(self._till.cart())
        self.search.clear()

    def _show_last_receipt(self) -> None:
        if self._last_sale is not None:
            self.receipt_requested.emit(self._last_sale.order_id)

    def order_ready(self, receipt_number: str) -> None:
        """The kitchen bumped an order: tell the cashier to call it out."""
        self.ready_label.setText(self.tr("Order ready: %s") % receipt_number)
        self.ready_notice.show()

    def activate(self) -> None:
        self._show_cart(self._till.cart())
        self.search.setFocus()

    def signed_out(self) -> None:
        """The cashier left: the last sale's banner (amount, change) is not the next one's."""
        self._last_sale = None
        self.sale_text.setText("")
        self.sale_banner.hide()
        self.ready_notice.hide()

    def cart(self) -> CartView:
        """The cart as last shown."""
        return self._cart
