/** How a reference data set is keyed, in words: its key field(s), effective dates, one-to-many. */
import type { ReferenceSetVersion } from '../../runtime/api/contract/schemas.ts';

export function keyedBy(v: Pick<ReferenceSetVersion, 'keyFields' | 'validFrom' | 'validTo' | 'multiple'>): string {
  return [
    v.keyFields.join(' + '),
    v.validFrom || v.validTo ? `valid ${v.validFrom ?? '…'} – ${v.validTo ?? '…'}` : '',
    v.multiple ? 'one-to-many' : '',
  ].filter(Boolean).join(' · ');
}
