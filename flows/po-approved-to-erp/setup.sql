-- Tables of the EU ERP this example books commitments into. Applied by
-- `ledgerflow run` and on server start when `erp_eu` is the embedded database.
CREATE TABLE IF NOT EXISTS po_commitment (
  commitment_id    text PRIMARY KEY,
  legal_entity     text NOT NULL,
  vendor_id        text NOT NULL,
  vendor_name      text,
  document_date    date NOT NULL,
  delivery_date    date,
  currency         char(3) NOT NULL,
  total_amount     numeric(18,2) NOT NULL,
  total_amount_eur numeric(18,2) NOT NULL,
  approved_by      text,
  source_event_id  text NOT NULL,
  booked_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS po_commitment_line (
  commitment_id text NOT NULL REFERENCES po_commitment ON DELETE CASCADE,
  line_no       integer NOT NULL,
  item_code     text,
  item_text     text,
  quantity      numeric(18,4) NOT NULL,
  unit_price    numeric(18,4) NOT NULL,
  amount        numeric(18,2) NOT NULL,
  cost_centre   text NOT NULL,
  gl_account    text NOT NULL,
  PRIMARY KEY (commitment_id, line_no)
);
