-- The treasury cash ledger this example posts to. Applied by `ledgerflow run`
-- and on server start when the `treasury` connection is the embedded database.
CREATE TABLE IF NOT EXISTS cash_entry (
  statement_id          text NOT NULL,
  entry_no              integer NOT NULL,
  account               text NOT NULL,
  entry_ref             text,
  booking_date          date,
  value_date            date,
  credit_debit          text NOT NULL CHECK (credit_debit IN ('CRDT', 'DBIT')),
  amount                numeric(18,2) NOT NULL,
  currency              char(3) NOT NULL,
  status                text NOT NULL,
  reversal              boolean NOT NULL DEFAULT false,
  bank_transaction_code text,
  counterparty          text,
  end_to_end_id         text,
  remittance_info       text,
  posted_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (statement_id, entry_no)
);
