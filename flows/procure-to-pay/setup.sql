-- Tables of the regional ERP (PL01, CZ01) this example books purchase orders
-- into. Applied by `ledgerflow run` and on server start when `erp_regional` is
-- the embedded database; on a real Postgres run it once. The ERP assigns the
-- document number (doc_number) from its own sequence; the flow reads it back
-- (`returning`) and writes it to the procurement platform.
CREATE SEQUENCE IF NOT EXISTS erp_document_seq START 1;
CREATE TABLE IF NOT EXISTS erp_purchase_order (
  po_number    text PRIMARY KEY,
  legal_entity text NOT NULL,
  supplier     text NOT NULL,
  currency     char(3) NOT NULL,
  amount       numeric(18,2) NOT NULL,
  doc_number   text NOT NULL UNIQUE DEFAULT ('RE-' || lpad(nextval('erp_document_seq')::text, 8, '0')),
  booked_at    timestamptz NOT NULL DEFAULT now()
);
