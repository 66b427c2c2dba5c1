-- Approved AP invoices waiting for payment, in the AP database (connection `ap`).
-- Applied by `ledgerflow run` and on server start when `ap` is the embedded database.
CREATE TABLE IF NOT EXISTS ap_approved_invoice (
  supplier_vat_id text NOT NULL,
  invoice_number  text NOT NULL,
  supplier_name   text NOT NULL,
  supplier_iban   text NOT NULL,
  supplier_bic    text NOT NULL,
  currency        char(3) NOT NULL,
  payable_amount  numeric(18,2) NOT NULL CHECK (payable_amount > 0),
  due_date        date NOT NULL,
  debtor_name     text NOT NULL,
  debtor_iban     text NOT NULL,
  debtor_bic      text NOT NULL,
  approved_at     timestamptz NOT NULL,
  PRIMARY KEY (supplier_vat_id, invoice_number)
);
