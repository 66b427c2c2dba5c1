/**
 * Byte-stream helpers shared by the format parsers: building streams for tests
 * and previews, peeking at the head of a stream, and decoding text with a clear
 * error when the declared encoding is wrong.
 */
import { formatError } from './format-error.ts';

const encoder = new TextEncoder();

/** A one-chunk byte stream of `text` (UTF-8) or of the given bytes; for tests and previews. */
export async function* bytesOf(content: string | Uint8Array): AsyncIterable<Uint8Array> {
  yield typeof content === 'string' ? encoder.encode(content) : content;
}

/**
 * Re-chunks a byte stream into pieces of `size` bytes, so tests can prove that
 * a parser is safe at every chunk boundary (e.g. inside a multi-byte character).
 */
export async function* chunked(
  source: string | Uint8Array | AsyncIterable<Uint8Array>,
  size: number,
): AsyncIterable<Uint8Array> {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const stream = typeof source === 'string' || source instanceof Uint8Array ? bytesOf(source) : source;
  for await (const chunk of stream) {
    for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, i + size);
  }
}

/** The first bytes of a stream, and the whole stream again (head included). */
export interface PeekedStream {
  head: Uint8Array;
  stream: AsyncIterable<Uint8Array>;
}

/**
 * Reads at least `count` bytes (fewer if the stream is shorter) without losing
 * them: `stream` replays them before the rest. Only the head is buffered.
 */
export async function peekBytes(source: AsyncIterable<Uint8Array>, count: number): Promise<PeekedStream> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < count) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    length += next.value.length;
  }
  const head = concatBytes(taken, length);
  async function* replay(): AsyncIterable<Uint8Array> {
    if (head.length > 0) yield head;
    if (done) return;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // Propagates an early stop by the consumer to the underlying source.
      await iterator.return?.();
    }
  }
  return { head, stream: replay() };
}

function concatBytes(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Counts lines across chunks; `\n`, `\r\n` and a lone `\r` each end one line. */
export class LineCounter {
  /** 1-based number of the line currently being read. */
  line = 1;
  private pendingCR = false;

  feed(text: string): void {
    // Without carriage returns, line ends are the newlines: found natively (indexOf), not character by character.
    if (text.indexOf('\r') === -1) {
      let i = text.indexOf('\n');
      if (i === 0 && this.pendingCR) i = text.indexOf('\n', 1);
      for (; i !== -1; i = text.indexOf('\n', i + 1)) this.line++;
      if (text.length > 0) this.pendingCR = false;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        if (!this.pendingCR) this.line++;
        this.pendingCR = false;
      } else {
        if (this.pendingCR) this.pendingCR = false;
        if (c === 13) {
          this.line++;
          this.pendingCR = true;
        }
      }
    }
  }
}

/** The error for bytes that are not valid text in the encoding, near the line being read. */
const encodingError = (fileName: string, encoding: string, line: number) =>
  formatError(fileName, `the file is not valid ${encoding} text (near line ${line}); choose the file's encoding, e.g. windows-1252`, { code: 'ENCODING' });

/**
 * Decodes a byte stream as text. The BOM is dropped. Bytes that are not valid
 * in `encoding` stop the read with a validation error naming the file and the
 * line, rather than silently turning supplier names into `�`.
 */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array>,
  fileName: string,
  encoding = 'utf-8',
): AsyncIterable<string> {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw formatError(fileName, `unknown text encoding "${encoding}" (use e.g. utf-8, windows-1252, iso-8859-1, utf-16le)`);
  }
  const lines = new LineCounter();
  const fail = (): never => {
    throw encodingError(fileName, decoder.encoding, lines.line);
  };
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      return fail();
    }
    if (text.length > 0) {
      lines.feed(text);
      yield text;
    }
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    return fail();
  }
  if (tail.length > 0) yield tail;
}

/** Node's UTF-8 check and byte-per-character decoding, where the runtime has them (not in a browser). */
interface ByteText {
  isUtf8(bytes: Uint8Array): boolean;
  latin1(bytes: Uint8Array): string;
  utf8Of(byteText: string): string;
}

interface NodeBufferModule {
  isUtf8?: (bytes: Uint8Array) => boolean;
  Buffer?: {
    from(bytes: ArrayBufferLike, offset: number, length: number): { toString(encoding: string): string };
    from(text: string, encoding: string): { toString(encoding: string): string };
  };
}

const byteText: ByteText | undefined = (() => {
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const buffer = node?.getBuiltinModule?.('node:buffer') as NodeBufferModule | undefined;
  const { isUtf8, Buffer } = buffer ?? {};
  if (!isUtf8 || !Buffer) return undefined;
  return {
    isUtf8,
    latin1: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'),
    utf8Of: (text) => Buffer.from(text, 'latin1').toString('utf8'),
  };
})();

/** Length of `bytes` up to where an unfinished UTF-8 character at their end starts (all of them when none is). */
function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const c = bytes[i];
    if ((c & 0xc0) === 0x80) continue;
    const size = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return i + size > n ? i : n;
  }
  return n;
}

/** True when `bytes` can begin a valid UTF-8 text (an unfinished character is not yet wrong). */
function validStart(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * A UTF-8 byte stream as text of one character per byte (as latin1 reads it),
 * checked as decodeText checks it (same error, same line; the BOM dropped) at a
 * fraction of the cost of decoding it. For scanning a syntax whose characters
 * of note are all ASCII: every byte of a multi-byte character is 0x80 or above,
 * and lines end where they do in the decoded text. A piece must be decoded
 * (`decodeByteText`) before values are read from it or its characters counted.
 * Undefined where the runtime lacks the means (a browser): use decodeText.
 */
export function utf8ByteTexts(chunks: AsyncIterable<Uint8Array>, fileName: string): AsyncIterable<string> | undefined {
  if (!byteText) return undefined;
  const node = byteText;
  return (async function* () {
    const lines = new LineCounter();
    let unfinished: Uint8Array | undefined;
    let started = false;
    for await (const chunk of chunks) {
      let part = unfinished ? concatBytes([unfinished, chunk], unfinished.length + chunk.length) : chunk;
      unfinished = undefined;
      const complete = completeLength(part);
      if (complete < part.length) {
        unfinished = part.slice(complete);
        part = part.subarray(0, complete);
      }
      if (!node.isUtf8(part) || (unfinished && !validStart(unfinished))) throw encodingError(fileName, 'utf-8', lines.line);
      if (!started && part.length > 0) {
        started = true;
        if (part[0] === 0xef && part[1] === 0xbb && part[2] === 0xbf) part = part.subarray(3);
      }
      if (part.length > 0) {
        const text = node.latin1(part);
        lines.feed(text);
        yield text;
      }
    }
    if (unfinished) throw encodingError(fileName, 'utf-8', lines.line);
  })();
}

/**
 * Characters (UTF-16 units, as a string's length counts them) from `from` to
 * `to` in a piece of utf8ByteTexts' output: its bytes, less each continuation
 * byte of a multi-byte character, plus one per 4-byte character (two units).
 */
export function byteTextLength(text: string, from: number, to: number): number {
  let length = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 && c < 0xc0) length--;
    else if (c >= 0xf0) length++;
  }
  return length;
}

/** The text of a piece of utf8ByteTexts' output (which holds whole characters only). */
export function decodeByteText(text: string): string {
  return byteText ? byteText.utf8Of(text) : text;
}

/** Every chunk of a stream joined into one buffer (a saved answer or message body read whole). */
export async function collectBytes(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
