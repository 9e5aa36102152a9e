<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="id_ID">
  <context>
    <name>CashMovementDialog</name>
    <message>
      <source>Amount</source>
      <translation>Jumlah</translation>
    </message>
    <message>
      <source>Enter an amount above zero.</source>
      <translation>Masukkan jumlah di atas nol.</translation>
    </message>
  </context>
  <context>
    <name>ChangeOverlay</name>
    <message>
      <source>Change</source>
      <translation>Kembalian</translation>
    </message>
    <message>
      <source>Tap anywhere for the next sale</source>
      <translation>Sentuh di mana saja untuk penjualan berikutnya</translation>
    </message>
    <message>
      <source>Paid %s · Total %s · Receipt %s</source>
      <translation>Dibayar %s · Total %s · Struk %s</translation>
    </message>
  </context>
  <context>
    <name>CustomerDialog</name>
    <message>
      <source>Customer</source>
      <translation>Pelanggan</translation>
    </message>
    <message>
      <source>Attach</source>
      <translation>Pasang</translation>
    </message>
    <message>
      <source>Name or phone</source>
      <translation>Nama atau telepon</translation>
    </message>
    <message>
      <source>New customer name</source>
      <translation>Nama pelanggan baru</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>Telepon</translation>
    </message>
    <message>
      <source>E-mail (optional)</source>
      <translation>E-mail (opsional)</translation>
    </message>
    <message>
      <source>Create</source>
      <translation>Buat</translation>
    </message>
    <message>
      <source>Give the customer a name.</source>
      <translation>Beri nama pelanggan.</translation>
    </message>
    <message>
      <source>Pick a customer or create one.</source>
      <translation>Pilih pelanggan atau buat baru.</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Batal</translation>
    </message>
  </context>
  <context>
    <name>DiscountDialog</name>
    <message>
      <source>Apply</source>
      <translation>Terapkan</translation>
    </message>
    <message>
      <source>Percent %</source>
      <translation>Persen %</translation>
    </message>
    <message>
      <source>Amount</source>
      <translation>Jumlah</translation>
    </message>
    <message>
      <source>Type a percent from 0 to 100, like 10 or 12.5.</source>
      <translation>Ketik persen dari 0 sampai 100, misalnya 10 atau 12,5.</translation>
    </message>
    <message>
      <source>That is not an amount. Type it like %s.</source>
      <translation>Itu bukan jumlah. Ketik seperti %s.</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Batal</translation>
    </message>
  </context>
  <context>
    <name>LoginScreen</name>
    <message>
      <source>Sign in</source>
      <translation>Masuk</translation>
    </message>
    <message>
      <source>PIN</source>
      <translation>PIN</translation>
    </message>
    <message>
      <source>Sign in — %s</source>
      <translation>Masuk — %s</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>Offline — sales are kept on this terminal and sync when the link is back.</source>
      <translation>Offline — penjualan disimpan di terminal ini dan disinkronkan saat koneksi kembali.</translation>
    </message>
    <message>
      <source>Sell  F1</source>
      <translation>Jual  F1</translation>
    </message>
    <message>
      <source>Orders  F3</source>
      <translation>Pesanan  F3</translation>
    </message>
    <message>
      <source>Shift  F10</source>
      <translation>Shift  F10</translation>
    </message>
    <message>
      <source>Sync</source>
      <translation>Sinkron</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>Pengaturan</translation>
    </message>
    <message>
      <source>Sign out</source>
      <translation>Keluar</translation>
    </message>
    <message>
      <source>Pair again</source>
      <translation>Pasangkan ulang</translation>
    </message>
    <message>
      <source>Sales not synced yet</source>
      <translation>Penjualan belum tersinkron</translation>
    </message>
    <message>
      <source>Sign out anyway</source>
      <translation>Tetap keluar</translation>
    </message>
    <message>
      <source>This till is no longer authorised: pair it again</source>
      <translation>Mesin kasir ini tidak lagi diizinkan: pasangkan ulang</translation>
    </message>
    <message>
      <source>Online</source>
      <translation>Online</translation>
    </message>
    <message>
      <source>Offline</source>
      <translation>Offline</translation>
    </message>
    <message>
      <source>%d waiting to sync</source>
      <translation>%d menunggu sinkron</translation>
    </message>
    <message>
      <source>Needs attention: %d</source>
      <translation>Perlu perhatian: %d</translation>
    </message>
  </context>
  <context>
    <name>ManagerPinDialog</name>
    <message>
      <source>Approve</source>
      <translation>Setujui</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Alasan</translation>
    </message>
    <message>
      <source>Manager PIN</source>
      <translation>PIN manajer</translation>
    </message>
    <message>
      <source>Enter the manager PIN.</source>
      <translation>Masukkan PIN manajer.</translation>
    </message>
    <message>
      <source>Give a reason.</source>
      <translation>Berikan alasan.</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Batal</translation>
    </message>
  </context>
  <context>
    <name>ModifiersDialog</name>
    <message>
      <source>Add</source>
      <translation>Tambah</translation>
    </message>
    <message>
      <source>%s: choose between %d and %d.</source>
      <translation>%s: pilih antara %d dan %d.</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Batal</translation>
    </message>
  </context>
  <context>
    <name>OrdersScreen</name>
    <message>
      <source>Orders of this shift</source>
      <translation>Pesanan shift ini</translation>
    </message>
    <message>
      <source>Receipt number</source>
      <translation>Nomor struk</translation>
    </message>
    <message>
      <source>Units to refund on the selected line</source>
      <translation>Jumlah refund pada baris terpilih</translation>
    </message>
    <message>
      <source>Reprint</source>
      <translation>Cetak ulang</translation>
    </message>
    <message>
      <source>Refund lines</source>
      <translation>Refund baris</translation>
    </message>
    <message>
      <source>Void order</source>
      <translation>Batalkan pesanan</translation>
    </message>
    <message>
      <source>(%s given back)</source>
      <translation>(%s dikembalikan)</translation>
    </message>
    <message>
      <source>Void %s</source>
      <translation>Batalkan %s</translation>
    </message>
    <message>
      <source>Choose the units to refund with + on their line.</source>
      <translation>Pilih jumlah yang dikembalikan dengan + pada barisnya.</translation>
    </message>
    <message>
      <source>Refund %s</source>
      <translation>Refund %s</translation>
    </message>
  </context>
  <context>
    <name>PairingScreen</name>
    <message>
      <source>Pair this terminal</source>
      <translation>Pasangkan terminal ini</translation>
    </message>
    <message>
      <source>Ask a manager for a pairing code in the back office.</source>
      <translation>Minta kode pemasangan dari manajer di back office.</translation>
    </message>
    <message>
      <source>Server address (https://…)</source>
      <translation>Alamat server (https://…)</translation>
    </message>
    <message>
      <source>Pairing code</source>
      <translation>Kode pemasangan</translation>
    </message>
    <message>
      <source>Catalog %v of %m</source>
      <translation>Katalog %v dari %m</translation>
    </message>
    <message>
      <source>Pair and download catalog</source>
      <translation>Pasangkan dan unduh katalog</translation>
    </message>
    <message>
      <source>Try the demo café offline</source>
      <translation>Coba kafe demo secara offline</translation>
    </message>
    <message>
      <source>Enter the server address and the pairing code.</source>
      <translation>Masukkan alamat server dan kode pemasangan.</translation>
    </message>
  </context>
  <context>
    <name>ParkedDialog</name>
    <message>
      <source>Held orders</source>
      <translation>Pesanan ditahan</translation>
    </message>
    <message>
      <source>Recall</source>
      <translation>Panggil kembali</translation>
    </message>
    <message>
      <source>Nothing held.</source>
      <translation>Tidak ada yang ditahan.</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Batal</translation>
    </message>
  </context>
  <context>
    <name>PaymentScreen</name>
    <message>
      <source>Payment</source>
      <translation>Pembayaran</translation>
    </message>
    <message>
      <source>Remaining</source>
      <translation>Sisa</translation>
    </message>
    <message>
      <source>Change due</source>
      <translation>Kembalian</translation>
    </message>
    <message>
      <source>Back (Esc)</source>
      <translation>Kembali (Esc)</translation>
    </message>
    <message>
      <source>Remove last</source>
      <translation>Hapus terakhir</translation>
    </message>
    <message>
      <source>Complete sale (F12)</source>
      <translation>Selesaikan penjualan (F12)</translation>
    </message>
    <message>
      <source>Reference (approval code, QRIS transaction id)</source>
      <translation>Referensi (kode persetujuan, id transaksi QRIS)</translation>
    </message>
    <message>
      <source>Amount (empty = remaining)</source>
      <translation>Jumlah (kosong = sisa)</translation>
    </message>
    <message>
      <source>Add payment</source>
      <translation>Tambah pembayaran</translation>
    </message>
    <message>
      <source>Total %s</source>
      <translation>Total %s</translation>
    </message>
    <message>
      <source>Exact %s</source>
      <translation>Uang pas %s</translation>
    </message>
    <message>
      <source>%s is not an amount. Type it like %s.</source>
      <translation>%s bukan jumlah. Ketik seperti %s.</translation>
    </message>
    <message>
      <source>Enter the reference of the card, QRIS or e-wallet payment.</source>
      <translation>Masukkan referensi pembayaran kartu, QRIS atau e-wallet.</translation>
    </message>
  </context>
  <context>
    <name>PrintJobsPanel</name>
    <message>
      <source>Printers</source>
      <translation>Printer</translation>
    </message>
    <message>
      <source>Retry print</source>
      <translation>Cetak lagi</translation>
    </message>
    <message>
      <source>Open drawer</source>
      <translation>Buka laci</translation>
    </message>
    <message>
      <source>Select a print job first.</source>
      <translation>Pilih tugas cetak dulu.</translation>
    </message>
    <message>
      <source>Sending again to %s.</source>
      <translation>Mengirim lagi ke %s.</translation>
    </message>
    <message>
      <source>Drawer pulse sent to %s.</source>
      <translation>Sinyal buka laci dikirim ke %s.</translation>
    </message>
  </context>
  <context>
    <name>PrinterOptionsPanel</name>
    <message>
      <source>Kitchen printers</source>
      <translation>Printer dapur</translation>
    </message>
    <message>
      <source>Add kitchen printer</source>
      <translation>Tambah printer dapur</translation>
    </message>
    <message>
      <source>Code page</source>
      <translation>Code page</translation>
    </message>
    <message>
      <source>Open the drawer on cash sales</source>
      <translation>Buka laci pada penjualan tunai</translation>
    </message>
    <message>
      <source>station (* for all)</source>
      <translation>stasiun (* untuk semua)</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>Hapus</translation>
    </message>
  </context>
  <context>
    <name>ReceiptScreen</name>
    <message>
      <source>Receipt</source>
      <translation>Struk</translation>
    </message>
    <message>
      <source>Print again</source>
      <translation>Cetak ulang</translation>
    </message>
    <message>
      <source>Back to sale</source>
      <translation>Kembali ke penjualan</translation>
    </message>
  </context>
  <context>
    <name>SellScreen</name>
    <message>
      <source>Search name, SKU or scan a barcode  (F2)</source>
      <translation>Cari nama, SKU atau pindai barcode  (F2)</translation>
    </message>
    <message>
      <source>OK</source>
      <translation>OK</translation>
    </message>
    <message>
      <source>Receipt</source>
      <translation>Struk</translation>
    </message>
    <message>
      <source>+ Customer  (F8)</source>
      <translation>+ Pelanggan  (F8)</translation>
    </message>
    <message>
      <source>Held (F7)</source>
      <translation>Ditahan (F7)</translation>
    </message>
    <message>
      <source>Note</source>
      <translation>Catatan</translation>
    </message>
    <message>
      <source>Line %</source>
      <translation>Baris %</translation>
    </message>
    <message>
      <source>Order %</source>
      <translation>Semua %</translation>
    </message>
    <message>
      <source>Hold</source>
      <translation>Tahan</translation>
    </message>
    <message>
      <source>Tax</source>
      <translation>Pajak</translation>
    </message>
    <message>
      <source>Subtotal</source>
      <translation>Subtotal</translation>
    </message>
    <message>
      <source>Discounts</source>
      <translation>Diskon</translation>
    </message>
    <message>
      <source>Service</source>
      <translation>Layanan</translation>
    </message>
    <message>
      <source>Rounding</source>
      <translation>Pembulatan</translation>
    </message>
    <message>
      <source>Total</source>
      <translation>Total</translation>
    </message>
    <message>
      <source>All</source>
      <translation>Semua</translation>
    </message>
    <message>
      <source>No product with barcode %s.</source>
      <translation>Tidak ada produk dengan barcode %s.</translation>
    </message>
    <message>
      <source>%s (included)</source>
      <translation>%s (termasuk)</translation>
    </message>
    <message>
      <source>Pay %s  (F4)</source>
      <translation>Bayar %s  (F4)</translation>
    </message>
    <message>
      <source>Pay</source>
      <translation>Bayar</translation>
    </message>
    <message>
      <source>Held: %d  (F7)</source>
      <translation>Ditahan: %d  (F7)</translation>
    </message>
    <message>
      <source>Note for %s</source>
      <translation>Catatan untuk %s</translation>
    </message>
    <message>
      <source>Discount on %s</source>
      <translation>Diskon untuk %s</translation>
    </message>
    <message>
      <source>Approve discount</source>
      <translation>Setujui diskon</translation>
    </message>
    <message>
      <source>Discount on the order</source>
      <translation>Diskon pesanan</translation>
    </message>
    <message>
      <source>Held order</source>
      <translation>Pesanan ditahan</translation>
    </message>
    <message>
      <source>Paid %s, receipt %s.</source>
      <translation>Dibayar %s, struk %s.</translation>
    </message>
    <message>
      <source>Change: %s</source>
      <translation>Kembalian: %s</translation>
    </message>
    <message>
      <source>Order ready: %s</source>
      <translation>Pesanan siap: %s</translation>
    </message>
  </context>
  <context>
    <name>SettingsScreen</name>
    <message>
      <source>Terminal settings</source>
      <translation>Pengaturan terminal</translation>
    </message>
    <message>
      <source>%d characters</source>
      <translation>%d karakter</translation>
    </message>
    <message>
      <source>Test print</source>
      <translation>Cetak uji</translation>
    </message>
    <message>
      <source>Receipt printer</source>
      <translation>Printer struk</translation>
    </message>
    <message>
      <source>Receipt width</source>
      <translation>Lebar struk</translation>
    </message>
    <message>
      <source>Server address</source>
      <translation>Alamat server</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>Bahasa</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>Simpan</translation>
    </message>
    <message>
      <source>Test page printed on %s.</source>
      <translation>Halaman uji tercetak di %s.</translation>
    </message>
    <message>
      <source>Test print failed: %s</source>
      <translation>Cetak uji gagal: %s</translation>
    </message>
    <message>
      <source>Printer not reachable (%s); the queue keeps trying.</source>
      <translation>Printer tidak terjangkau (%s); antrean terus mencoba.</translation>
    </message>
    <message>
      <source>Test page sent to %s…</source>
      <translation>Halaman uji dikirim ke %s…</translation>
    </message>
  </context>
  <context>
    <name>ShiftCloseScreen</name>
    <message>
      <source>Close shift</source>
      <translation>Tutup shift</translation>
    </message>
    <message>
      <source>Expected in drawer</source>
      <translation>Seharusnya di laci</translation>
    </message>
    <message>
      <source>Counted</source>
      <translation>Dihitung</translation>
    </message>
    <message>
      <source>Difference</source>
      <translation>Selisih</translation>
    </message>
    <message>
      <source>Cash in</source>
      <translation>Kas masuk</translation>
    </message>
    <message>
      <source>Cash out</source>
      <translation>Kas keluar</translation>
    </message>
    <message>
      <source>X report</source>
      <translation>Laporan X</translation>
    </message>
    <message>
      <source>Print report</source>
      <translation>Cetak laporan</translation>
    </message>
    <message>
      <source>Close shift (Z)</source>
      <translation>Tutup shift (Z)</translation>
    </message>
    <message>
      <source>Cash in: %s</source>
      <translation>Kas masuk: %s</translation>
    </message>
    <message>
      <source>Cash out: %s</source>
      <translation>Kas keluar: %s</translation>
    </message>
    <message>
      <source>Counted %s, expected %s, difference %s. The shift cannot be reopened.</source>
      <translation>Dihitung %s, seharusnya %s, selisih %s. Shift tidak dapat dibuka kembali.</translation>
    </message>
    <message>
      <source>Close the shift?</source>
      <translation>Tutup shift?</translation>
    </message>
    <message>
      <source>Sales not synced yet</source>
      <translation>Penjualan belum tersinkron</translation>
    </message>
    <message>
      <source>Close shift anyway</source>
      <translation>Tetap tutup shift</translation>
    </message>
  </context>
  <context>
    <name>ShiftOpenScreen</name>
    <message>
      <source>Open shift</source>
      <translation>Buka shift</translation>
    </message>
    <message>
      <source>Count the cash in the drawer (opening float).</source>
      <translation>Hitung uang tunai di laci (modal awal).</translation>
    </message>
    <message>
      <source>That is not an amount. Type it like %s.</source>
      <translation>Itu bukan jumlah. Ketik seperti %s.</translation>
    </message>
  </context>
  <context>
    <name>StatusScreen</name>
    <message>
      <source>Sync status</source>
      <translation>Status sinkron</translation>
    </message>
    <message>
      <source>Needs attention</source>
      <translation>Perlu perhatian</translation>
    </message>
    <message>
      <source>Retry</source>
      <translation>Coba lagi</translation>
    </message>
    <message>
      <source>Export to file</source>
      <translation>Ekspor ke berkas</translation>
    </message>
    <message>
      <source>Online</source>
      <translation>Online</translation>
    </message>
    <message>
      <source>Offline</source>
      <translation>Offline</translation>
    </message>
    <message>
      <source>%s — %d sale(s) or event(s) waiting to sync.</source>
      <translation>%s — %d penjualan atau kejadian menunggu sinkron.</translation>
    </message>
    <message>
      <source>Last error: %s</source>
      <translation>Galat terakhir: %s</translation>
    </message>
    <message>
      <source>Select an item first.</source>
      <translation>Pilih item terlebih dahulu.</translation>
    </message>
    <message>
      <source>Manager approval</source>
      <translation>Persetujuan manajer</translation>
    </message>
    <message>
      <source>Exported to %s</source>
      <translation>Diekspor ke %s</translation>
    </message>
  </context>
  <context>
    <name>TextDialog</name>
    <message>
      <source>OK</source>
      <translation>OK</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Batal</translation>
    </message>
  </context>
  <context>
    <name>_Dialog</name>
    <message>
      <source>Cancel</source>
      <translation>Batal</translation>
    </message>
  </context>
  <context>
    <name>ConfirmDialog</name>
    <message>
      <source>Cancel</source>
      <translation>Batal</translation>
    </message>
  </context>
  <context>
    <name>models</name>
    <message>
      <source>Qty</source>
      <translation>Jml</translation>
    </message>
    <message>
      <source>Item</source>
      <translation>Item</translation>
    </message>
    <message>
      <source>Total</source>
      <translation>Total</translation>
    </message>
    <message>
      <source>Receipt</source>
      <translation>Struk</translation>
    </message>
    <message>
      <source>Time</source>
      <translation>Waktu</translation>
    </message>
    <message>
      <source>Customer</source>
      <translation>Pelanggan</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>Status</translation>
    </message>
    <message>
      <source>Method</source>
      <translation>Metode</translation>
    </message>
    <message>
      <source>Reference</source>
      <translation>Referensi</translation>
    </message>
    <message>
      <source>Amount</source>
      <translation>Jumlah</translation>
    </message>
    <message>
      <source>Held order</source>
      <translation>Pesanan ditahan</translation>
    </message>
    <message>
      <source>Items</source>
      <translation>Item</translation>
    </message>
    <message>
      <source>Since</source>
      <translation>Sejak</translation>
    </message>
    <message>
      <source>Tries</source>
      <translation>Percobaan</translation>
    </message>
    <message>
      <source>Last error</source>
      <translation>Galat terakhir</translation>
    </message>
    <message>
      <source>Note / coin</source>
      <translation>Uang kertas / koin</translation>
    </message>
    <message>
      <source>Count</source>
      <translation>Banyaknya</translation>
    </message>
    <message>
      <source>Line</source>
      <translation>Baris</translation>
    </message>
    <message>
      <source>Refund</source>
      <translation>Refund</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>Nama</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>Telepon</translation>
    </message>
    <message>
      <source>Paid</source>
      <translation>Lunas</translation>
    </message>
    <message>
      <source>Voided</source>
      <translation>Dibatalkan</translation>
    </message>
    <message>
      <source>Refunded</source>
      <translation>Direfund</translation>
    </message>
    <message>
      <source>Partly refunded</source>
      <translation>Sebagian direfund</translation>
    </message>
    <message>
      <source>(%d refunded)</source>
      <translation>(%d direfund)</translation>
    </message>
    <message>
      <source>Held at</source>
      <translation>Ditahan pukul</translation>
    </message>
    <message>
      <source>Slip</source>
      <translation>Slip</translation>
    </message>
    <message>
      <source>Printer</source>
      <translation>Printer</translation>
    </message>
    <message>
      <source>State</source>
      <translation>Keadaan</translation>
    </message>
    <message>
      <source>Kitchen ticket</source>
      <translation>Tiket dapur</translation>
    </message>
    <message>
      <source>Report</source>
      <translation>Laporan</translation>
    </message>
    <message>
      <source>Test page</source>
      <translation>Halaman uji</translation>
    </message>
    <message>
      <source>Refund slip</source>
      <translation>Slip refund</translation>
    </message>
    <message>
      <source>Open drawer</source>
      <translation>Buka laci</translation>
    </message>
    <message>
      <source>Waiting</source>
      <translation>Menunggu</translation>
    </message>
    <message>
      <source>Printing</source>
      <translation>Mencetak</translation>
    </message>
    <message>
      <source>Printed</source>
      <translation>Tercetak</translation>
    </message>
    <message>
      <source>Failed</source>
      <translation>Gagal</translation>
    </message>
  </context>
</TS>