-- Tables of the AP ledger this example posts to. Applied by `ledgerflow run`
-- and on server start when the `ap` connection is the embedded database.
CREATE TABLE IF NOT EXISTS ap_invoice (
  supplier_vat_id       text NOT NULL,
  invoice_number        text NOT NULL,
  document_type         text NOT NULL,
  issue_date            date NOT NULL,
  due_date              date,
  currency              char(3) NOT NULL,
  supplier_name         text,
  buyer_name            text,
  order_reference       text,
  line_extension_amount numeric(18,2) NOT NULL,
  tax_exclusive_amount  numeric(18,2) NOT NULL,
  tax_amount            numeric(18,2) NOT NULL,
  tax_inclusive_amount  numeric(18,2) NOT NULL,
  prepaid_amount        numeric(18,2) NOT NULL,
  payable_amount        numeric(18,2) NOT NULL,
  vat_breakdown         jsonb,
  posted_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (supplier_vat_id, invoice_number)
);
CREATE TABLE IF NOT EXISTS ap_invoice_line (
  supplier_vat_id text NOT NULL,
  invoice_number  text NOT NULL,
  line_no         text NOT NULL,
  description     text,
  quantity        numeric(18,4),
  unit_code       text,
  unit_price      numeric(18,6),
  net_amount      numeric(18,2) NOT NULL,
  tax_category    text NOT NULL,
  tax_percent     numeric(5,2),
  PRIMARY KEY (supplier_vat_id, invoice_number, line_no),
  FOREIGN KEY (supplier_vat_id, invoice_number) REFERENCES ap_invoice ON DELETE CASCADE
);
