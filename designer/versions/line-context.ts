/** Shows changed lines with a little context; long unchanged runs fold into one "n unchanged lines" marker. */
import type { LineDiff } from '../../nodes/flow-diff.ts';

export type ShownLine = LineDiff | { kind: 'gap'; count: number };

export function withContext(lines: readonly LineDiff[], context = 2): ShownLine[] {
  const keep = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = true;
  });
  const out: ShownLine[] = [];
  let gap = 0;
  lines.forEach((l, i) => {
    if (keep[i]) {
      if (gap) out.push({ kind: 'gap', count: gap });
      gap = 0;
      out.push(l);
    } else gap++;
  });
  if (gap) out.push({ kind: 'gap', count: gap });
  return out;
}
