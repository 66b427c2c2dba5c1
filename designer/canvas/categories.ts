/** How each node category looks: colour, glyph and name (styling, not a list of node types). */
import type { NodeCategory } from '../../nodes/define-node.ts';

export interface CategoryLook {
  label: string;
  /** Plural heading in the palette. */
  heading: string;
  glyph: string;
  color: string;
}

export const CATEGORY_LOOK: Record<NodeCategory, CategoryLook> = {
  source: { label: 'Source', heading: 'Sources', glyph: '⇥', color: '#0ea5e9' },
  transform: { label: 'Transform', heading: 'Transforms', glyph: 'ƒ', color: '#8b5cf6' },
  route: { label: 'Route', heading: 'Routing', glyph: '⑂', color: '#f59e0b' },
  validate: { label: 'Validate', heading: 'Validation', glyph: '✓', color: '#10b981' },
  target: { label: 'Target', heading: 'Targets', glyph: '⇲', color: '#ec4899' },
};
