/** What a generated form needs besides the schema and the value. */
import { createContext, useContext } from 'react';

export interface FormContextValue {
  /** Messages by config-relative JSON pointer (`/routes/0/condition`). */
  problems: ReadonlyMap<string, string[]>;
  /** JSON pointers of expression fields; `*` matches an array index. */
  expressionFields: readonly string[];
  /** Connections of the flow usable by this node (already filtered by kind). */
  connections: { name: string; kind: string; description?: string }[];
  /** Kind of connection this node needs, if any. */
  connectionKind?: 'postgres' | 'http' | 'sftp';
  declareConnection?(name: string): void;
  readOnly: boolean;
  /** Node whose input the expression previews run on; undefined for flow-level fields. */
  nodeId?: string;
  /** Field to scroll to and highlight (from a click in the problems panel). */
  focusPath?: string | null;
}

export const FormContext = createContext<FormContextValue>({ problems: new Map(), expressionFields: [], connections: [], readOnly: false });

export const useFormContext = () => useContext(FormContext);

/** True when `pointer` matches one of the patterns (`*` = one path segment). */
export function matchesPointer(patterns: readonly string[], pointer: string): boolean {
  const parts = pointer.split('/');
  return patterns.some((p) => {
    const q = p.split('/');
    return q.length === parts.length && q.every((s, i) => s === '*' || s === parts[i]);
  });
}

/** Problems at this pointer or below it (for section badges). */
export function problemsUnder(problems: ReadonlyMap<string, string[]>, pointer: string): number {
  let n = 0;
  for (const [path, list] of problems) if (path === pointer || path.startsWith(`${pointer}/`)) n += list.length;
  return n;
}
