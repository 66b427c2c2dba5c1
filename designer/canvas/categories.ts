/** How each node category looks: colour, glyph and name (styling, not a list of node types). */
import type { NodeCategory } from '../../nodes/define-node.ts';

export interface CategoryLook {
  label: string;
  /** Plural heading in the palette. */
  heading: string;
  glyph: string;
  color: string;
  /** The colour darkened for text on white (at least 4.5:1, WCAG AA), e.g. the palette's headings. */
  ink: string;
}

export const CATEGORY_LOOK: Record<NodeCategory, CategoryLook> = {
  source: { label: 'Source', heading: 'Sources', glyph: '⇥', color: '#0ea5e9', ink: '#0369a1' },
  transform: { label: 'Transform', heading: 'Transforms', glyph: 'ƒ', color: '#8b5cf6', ink: '#6d28d9' },
  route: { label: 'Route', heading: 'Routing', glyph: '⑂', color: '#f59e0b', ink: '#b45309' },
  validate: { label: 'Validate', heading: 'Validation', glyph: '✓', color: '#10b981', ink: '#047857' },
  target: { label: 'Target', heading: 'Targets', glyph: '⇲', color: '#ec4899', ink: '#be185d' },
};
