-- Ledger rows are facts: a correction is a new transaction, never an edit.
CREATE OR REPLACE FUNCTION ledger_transactions_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger_transactions rows are immutable (% refused)', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_no_update_delete
  BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_transactions_immutable();
