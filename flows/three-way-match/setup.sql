-- Three-way match (procure-to-pay). Applied by `ledgerflow run` and on server start when the `ap`
-- connection is the embedded database. What each PO line has received and been invoiced, and the
-- invoices held for it, is the match node's keyed state `three-way-match` (the store's keyed_state).

-- Invoice lines that passed the three-way match, posted to accounts payable: quantity and price
-- as invoiced, the PO price they were checked against, and what the line had received and been
-- invoiced before.
CREATE TABLE IF NOT EXISTS ap_matched_invoice_line (
  invoice_no       text NOT NULL,
  line_no          integer NOT NULL,
  supplier_name    text NOT NULL,
  po_number        text NOT NULL,
  po_line          integer NOT NULL,
  quantity         numeric(18,3) NOT NULL,
  unit_price       numeric(18,2) NOT NULL,
  po_unit_price    numeric(18,2) NOT NULL,
  amount           numeric(18,2) NOT NULL,
  currency         char(3) NOT NULL,
  received_qty     numeric(18,3) NOT NULL,
  invoiced_before  numeric(18,3) NOT NULL,
  posted_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (invoice_no, line_no)
);

-- Invoice lines held because their PO line or goods receipt had not arrived yet; the match
-- releases them when it does (in a later run).
CREATE TABLE IF NOT EXISTS ap_invoice_held (
  invoice_no   text NOT NULL,
  line_no      integer NOT NULL,
  po_number    text NOT NULL,
  po_line      integer NOT NULL,
  quantity     numeric(18,3) NOT NULL,
  unit_price   numeric(18,2) NOT NULL,
  waiting_for  text NOT NULL,
  held_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (invoice_no, line_no)
);

-- Held invoice lines not posted since (still waiting for their receipt or PO line, or released
-- into an exception: those are in the run's quarantine with their reasons).
CREATE OR REPLACE VIEW ap_invoice_waiting AS
  SELECT h.* FROM ap_invoice_held h
  WHERE NOT EXISTS (SELECT 1 FROM ap_matched_invoice_line l WHERE l.invoice_no = h.invoice_no AND l.line_no = h.line_no);
