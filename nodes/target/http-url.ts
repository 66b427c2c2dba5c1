/**
 * Where an HTTP target's request goes: always under the connection's base
 * URL. The path is appended segment by segment; a `.` or `..` segment, in
 * any spelling (`%2e%2E`), or a backslash (which URL parsers read as `/`)
 * is refused, so neither the configured path nor a record's value can
 * reach another part of the server. Browser-safe.
 */

/** The URL for `path` under `baseUrl`, or a message saying why it is refused. */
export function urlUnderBase(baseUrl: string, path: string): { url: string } | { problem: string } {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    return { problem: `the connection's base URL '${baseUrl}' is not a URL` };
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const cut = path.search(/[?#]/);
  const pathPart = cut === -1 ? path : path.slice(0, cut);
  const query = cut === -1 ? base.search : path.slice(cut).replace(/#.*$/, '');
  const segments = pathPart.split('/').filter((s, i) => !(s === '' && i === 0));
  for (const segment of segments) {
    if (segment.includes('\\')) return { problem: `the URL path '${path}' contains a backslash` };
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { problem: `the URL path '${path}' has a malformed %-escape in '${segment}'` };
    }
    if (decoded === '.' || decoded === '..') return { problem: `the URL path '${path}' would leave the connection's base URL (a '${decoded}' segment)` };
  }
  const joined = pathPart === '' ? basePath : `${basePath}/${segments.join('/')}`;
  const url = new URL(`${base.origin}${joined}${query}`);
  if (url.origin !== base.origin || (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`) && !(basePath === '' && url.pathname === '/'))) {
    return { problem: `the URL path '${path}' would leave the connection's base URL` };
  }
  return { url: url.href };
}
