/** Retry policy of a target node (transient errors: timeouts, 429, 5xx). */
import type { RetryPolicy } from '../../nodes/flow-document.ts';
import { useFormContext } from './schema-form/form-context.ts';
import { FieldShell, NumberInput, Toggle } from './schema-form/widgets.tsx';

const DEFAULT: RetryPolicy = { attempts: 3, backoffMs: 1000, maxBackoffMs: 30000 };

export function RetryPolicyForm({ value, onChange }: { value: RetryPolicy | undefined; onChange: (v: RetryPolicy | undefined) => void }) {
  const { readOnly } = useFormContext();
  return (
    <details className="form-section" open={!!value}>
      <summary>Retries</summary>
      <p className="field-help">When the target is briefly unavailable the record is tried again, waiting longer each time, before it goes to the dead-letter queue.</p>
      <Toggle checked={!!value} onChange={(on) => onChange(on ? DEFAULT : undefined)} label="Custom retry policy" readOnly={readOnly} />
      {value && (
        <div className="form-grid">
          <FieldShell label="Attempts" pointer="/retry/attempts"><NumberInput integer min={1} value={value.attempts} onChange={(v) => onChange({ ...value, attempts: v ?? 1 })} readOnly={readOnly} /></FieldShell>
          <FieldShell label="First wait (ms)" pointer="/retry/backoffMs"><NumberInput integer min={0} value={value.backoffMs} onChange={(v) => onChange({ ...value, backoffMs: v ?? 0 })} readOnly={readOnly} /></FieldShell>
          <FieldShell label="Longest wait (ms)" pointer="/retry/maxBackoffMs"><NumberInput integer min={0} value={value.maxBackoffMs} onChange={(v) => onChange({ ...value, maxBackoffMs: v })} readOnly={readOnly} /></FieldShell>
        </div>
      )}
    </details>
  );
}
