/** A long list of records (virtualised), each summarised by its first scalar fields. */
import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { cellText } from '../shell/format.ts';
import { clickOnEnter } from '../shell/keyboard.ts';

export function recordSummary(record: unknown): string {
  if (record === null || typeof record !== 'object') return cellText(record, 80);
  const parts: string[] = [];
  const visit = (v: unknown, depth: number) => {
    if (parts.length >= 4 || depth > 3 || v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (parts.length >= 4) return;
      // XML attributes (namespaces, schema locations) say little about the record.
      if (k.startsWith('@')) continue;
      if (x !== null && typeof x === 'object') visit(x, depth + 1);
      else if (x !== undefined && x !== '') parts.push(`${k}: ${cellText(x, 24)}`);
    }
  };
  visit(record, 0);
  return parts.join(' · ') || (Array.isArray(record) ? `[${record.length} items]` : '{…}');
}

export function RecordList({ records, selected, onSelect }: { records: unknown[]; selected: number; onSelect: (i: number) => void }) {
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: records.length, getScrollElement: () => parent.current, estimateSize: () => 30, overscan: 12 });
  return (
    <div ref={parent} className="record-list" role="listbox" aria-label="Records">
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((item) => (
          <div
            key={item.key}
            role="option"
            tabIndex={0}
            onKeyDown={clickOnEnter}
            aria-selected={item.index === selected}
            className={`record-row ${item.index === selected ? 'selected' : ''}`}
            style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}
            onClick={() => onSelect(item.index)}
          >
            <span className="record-index">{item.index + 1}</span>
            <span className="record-text">{recordSummary(records[item.index])}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
