/**
 * Settings groups named after a format (`csv`, `json`, `xml` next to a
 * `format` choice) are shown only for the chosen format, so an analyst
 * reading an XML file sees the XML settings only. With `auto` the format is
 * known only from the file, so every group stays. JSON Lines reads with the
 * JSON settings (its numbers option), so `jsonl` shows `json`.
 */
type Schema = Record<string, unknown>;

/** False for a property that is another format's settings group. */
export function formatSettingsShown(properties: Record<string, Schema>, value: Record<string, unknown>, name: string): boolean {
  const format = properties.format;
  const formats = Array.isArray(format?.enum) ? (format.enum as unknown[]) : null;
  if (!formats || name === 'format' || !formats.includes(name)) return true;
  const chosen = String(value.format ?? format.default ?? '');
  return chosen === 'auto' || chosen === name || (name === 'json' && chosen === 'jsonl');
}
