/** The analyst's fix the operator tests deploy before replaying the UBL invoice whose supplier has no VAT id. */
import { expect } from 'vitest';

/** The analyst's fix: a supplier without a VAT id is keyed "NAME:<registration name>"; the VAT supplier master check applies to VAT ids, name-keyed suppliers get a warning for AP review. */
export function fixFlow(doc: any): any {
  const map = doc.nodes.find((n: { id: string }) => n.id === 'to-ap-invoice');
  const before = '"vatId": $vatIdOf($seller),';
  expect(map.config.expression).toContain(before);
  map.config.expression = map.config.expression.replace(before, '"vatId": $vatIdOf($seller) ? $vatIdOf($seller) : "NAME:" & $seller.PartyLegalEntity.RegistrationName,');
  const check = doc.nodes.find((n: { id: string }) => n.id === 'check-invoice');
  const known = check.config.references.find((r: { id: string }) => r.id === 'supplier-known');
  known.value = '$substring(supplier.vatId, 0, 5) = "NAME:" ? [] : supplier.vatId';
  check.config.rules.push({ id: 'supplier-keyed-by-name', expression: '$substring(supplier.vatId, 0, 5) != "NAME:"', message: "Supplier '{{supplier.name}}' has no VAT id; keyed by name for AP review", severity: 'warning', field: 'supplier.vatId' });
  return doc;
}
