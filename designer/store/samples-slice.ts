/** Sample documents loaded for previews and test runs, and the record picked for previews. */
import type { StateCreator } from 'zustand/vanilla';
import type { Sample as SampleContent } from '../../runtime/api/contract/schemas.ts';
import type { DesignerState } from './designer-store.ts';

export interface Sample {
  id: string;
  name: string;
  origin: 'upload' | 'stored';
  /** Parsed records (the first ones when the document is large). */
  records: unknown[];
  /** Records in the whole document. */
  total: number;
  /** Source node whose config parsed it. */
  sourceNodeId?: string;
  /** What a test run sends: the uploaded document, or the stored sample's name. */
  content?: SampleContent;
}

export interface SamplesState {
  samples: Sample[];
  activeSampleId: string | null;
  selectedRecordIndex: number;
}

export interface SamplesActions {
  addSample(sample: Sample): void;
  removeSample(id: string): void;
  setActiveSample(id: string | null): void;
  selectRecord(index: number): void;
}

export type SamplesSlice = SamplesState & SamplesActions;

export const createSamplesSlice: StateCreator<DesignerState, [], [], SamplesSlice> = (set, get) => ({
  samples: [],
  activeSampleId: null,
  selectedRecordIndex: 0,

  addSample(sample) {
    const samples = [...get().samples.filter((s) => s.id !== sample.id), sample];
    set({ samples, activeSampleId: sample.id, selectedRecordIndex: 0 });
  },

  removeSample(id) {
    const samples = get().samples.filter((s) => s.id !== id);
    const active = get().activeSampleId === id ? (samples[samples.length - 1]?.id ?? null) : get().activeSampleId;
    set({ samples, activeSampleId: active, selectedRecordIndex: 0 });
  },

  setActiveSample(id) {
    set({ activeSampleId: id, selectedRecordIndex: 0 });
  },

  selectRecord(index) {
    set({ selectedRecordIndex: Math.max(0, index) });
  },
});

/** The active sample and its selected record, if any. */
export function selectedSampleRecord(s: SamplesState): { sample: Sample; record: unknown; index: number } | null {
  const sample = s.samples.find((x) => x.id === s.activeSampleId);
  if (!sample || sample.records.length === 0) return null;
  const index = Math.min(s.selectedRecordIndex, sample.records.length - 1);
  return { sample, record: sample.records[index], index };
}
