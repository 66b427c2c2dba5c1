-- Cash application (order-to-cash). Applied by `ledgerflow run` and on server start when the
-- `ar` connection is the embedded database.
-- The receivables ledger: invoices sent to customers, at their original amount. The open balance
-- of each, as payments are applied, is the keyed state `ar-open-balance` (the store's keyed_state).
CREATE TABLE IF NOT EXISTS ar_open_item (
  invoice_no    text PRIMARY KEY,
  customer_name text NOT NULL,
  amount        numeric(18,2) NOT NULL,
  currency      char(3) NOT NULL,
  due_date      date
);

-- One row per payment applied to an invoice: what was paid, applied and left over, and the
-- invoice's open balance before and after.
CREATE TABLE IF NOT EXISTS cash_application (
  payment_ref    text PRIMARY KEY,
  invoice_no     text NOT NULL,
  customer_name  text NOT NULL,
  booking_date   date NOT NULL,
  currency       char(3) NOT NULL,
  paid           numeric(18,2) NOT NULL,
  applied        numeric(18,2) NOT NULL,
  unapplied      numeric(18,2) NOT NULL,
  balance_before numeric(18,2) NOT NULL,
  balance_after  numeric(18,2) NOT NULL,
  applied_at     timestamptz NOT NULL DEFAULT now()
);

-- Payments quoting no open item we know: unapplied cash, for the collections team.
CREATE TABLE IF NOT EXISTS cash_unapplied (
  payment_ref   text PRIMARY KEY,
  quoted_ref    text,
  debtor_name   text,
  booking_date  date NOT NULL,
  currency      char(3) NOT NULL,
  amount        numeric(18,2) NOT NULL,
  reason        text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now()
);

-- Unapplied cash listed: payments without an open item, and what overpayments left over.
CREATE OR REPLACE VIEW unapplied_cash AS
  SELECT payment_ref, quoted_ref AS invoice_no, booking_date, currency, amount, reason FROM cash_unapplied
  UNION ALL
  SELECT payment_ref, invoice_no, booking_date, currency, unapplied, 'overpayment of ' || invoice_no FROM cash_application WHERE unapplied > 0;

-- The open items the generated sample (samples/camt054-generated-23-payments.xml) pays.
INSERT INTO ar_open_item (invoice_no, customer_name, amount, currency, due_date) VALUES
('INV-2026-00001', 'Nordlicht Bürobedarf GmbH', 24423.85, 'EUR', '2026-11-01'),
('INV-2026-00002', 'Fjord Fisk AS', 10167.77, 'EUR', '2026-11-20'),
('INV-2026-00003', 'Helsingin Tukku Oy', 13855.47, 'EUR', '2026-11-14'),
('INV-2026-00004', 'Brasserie du Port SARL', 3940.91, 'EUR', '2026-11-21'),
('INV-2026-00005', 'Fjord Fisk AS', 4968.57, 'EUR', '2026-11-22'),
('INV-2026-00006', 'Brasserie du Port SARL', 13391.75, 'EUR', '2026-11-11'),
('INV-2026-00007', 'Atelier Lumière SAS', 6225.96, 'EUR', '2026-11-09'),
('INV-2026-00008', 'Helsingin Tukku Oy', 3634.25, 'EUR', '2026-11-25'),
('INV-2026-00009', 'Brasserie du Port SARL', 13720.14, 'EUR', '2026-11-05'),
('INV-2026-00010', 'Nordlicht Bürobedarf GmbH', 22827.87, 'EUR', '2026-11-22'),
('INV-2026-00011', 'Kowalski Meble Sp. z o.o.', 17018.27, 'EUR', '2026-11-16'),
('INV-2026-00012', 'Kowalski Meble Sp. z o.o.', 23034.07, 'EUR', '2026-11-28'),
('INV-2026-00013', 'Nordlicht Bürobedarf GmbH', 4414.79, 'EUR', '2026-11-24'),
('INV-2026-00014', 'Van Dijk Logistiek B.V.', 553.39, 'EUR', '2026-11-10'),
('INV-2026-00015', 'Turku Rakennus Oy', 9255.78, 'EUR', '2026-11-03'),
('INV-2026-00016', 'Van Dijk Logistiek B.V.', 23658.22, 'EUR', '2026-11-12'),
('INV-2026-00017', 'Costa Verde Lda', 8299.66, 'EUR', '2026-11-20'),
('INV-2026-00018', 'Müller & Söhne KG', 3375.66, 'EUR', '2026-11-10'),
('INV-2026-00019', 'Brasserie du Port SARL', 4799.87, 'EUR', '2026-11-26'),
('INV-2026-00020', 'Alpenmilch AG', 1138.60, 'EUR', '2026-11-18'),
('INV-2026-00021', 'Atelier Lumière SAS', 13719.42, 'EUR', '2026-11-20'),
('INV-2026-00022', 'Kowalski Meble Sp. z o.o.', 23000.96, 'EUR', '2026-11-24'),
('INV-2026-00023', 'Fjord Fisk AS', 16246.69, 'EUR', '2026-11-04'),
('INV-2026-00024', 'Atelier Lumière SAS', 20957.04, 'EUR', '2026-11-25')
ON CONFLICT (invoice_no) DO NOTHING;
