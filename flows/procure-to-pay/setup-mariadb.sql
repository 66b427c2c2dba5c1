-- The regional ERP's table on MariaDB (10.3 or later), for binding `erp_regional` to a
-- mysql:// URL instead of Postgres: the same columns, the document number from a
-- sequence of its own. Run it once in the ERP's database; the flow is unchanged.
CREATE SEQUENCE IF NOT EXISTS erp_document_seq START WITH 1;
CREATE TABLE IF NOT EXISTS erp_purchase_order (
  po_number    varchar(40) PRIMARY KEY,
  legal_entity varchar(10) NOT NULL,
  supplier     varchar(40) NOT NULL,
  currency     char(3) NOT NULL,
  amount       decimal(18,2) NOT NULL,
  doc_number   varchar(20) NOT NULL UNIQUE DEFAULT (CONCAT('RE-', LPAD(NEXTVAL(erp_document_seq), 8, '0'))),
  booked_at    timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);
