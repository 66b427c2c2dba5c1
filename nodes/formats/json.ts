/**
 * One JSON document → records, streamed with @streamparser/json: a top-level
 * list yields its elements one by one (a huge list is never held whole), an
 * object is one record, and `recordPath` selects a list inside the document.
 */
import { Tokenizer, TokenParser, TokenType } from '@streamparser/json';
import { decodeText } from './bytes.ts';
import { describeJsonError, ExactNumberTokenizer } from './json-syntax.ts';
import { formatError, type TextPosition } from './format-error.ts';
import { FlowError } from '../errors.ts';
import { recordLimitsOf, recordProblem, type RecordLimits } from './record-limits.ts';

export interface JsonOptions {
  /** Dotted path of the list whose elements are the records, e.g. `data.items`. */
  recordPath?: string;
  /** Keep numbers as their exact source text ("96.00") instead of JSON numbers; default false. */
  exactNumbers?: boolean;
  /** Text encoding; JSON is UTF-8 unless the sender says otherwise. */
  encoding?: string;
  /** Depth limit of a record and the NUL check (see record-limits.ts). */
  limits?: Partial<RecordLimits>;
}

interface TokenInfo {
  token: TokenType;
  value?: unknown;
  offset: number;
}

/** Parses one JSON document into records. */
export async function* parseJson(
  chunks: AsyncIterable<Uint8Array>,
  fileName: string,
  options: JsonOptions = {},
): AsyncIterable<unknown> {
  const recordPath = (options.recordPath ?? '').trim();
  const segments = recordPath ? recordPath.split('.').filter((s) => s.length > 0) : [];
  const tokenizer = options.exactNumbers ? new ExactNumberTokenizer() : new Tokenizer();
  const positions = new LinePositions();
  const watcher = new PathWatcher(segments);
  const records: unknown[] = [];
  const limits = recordLimitsOf(options.limits);
  let parser: TokenParser | undefined;
  let lastTokenOffset = 0;

  tokenizer.onToken = (info: TokenInfo) => {
    lastTokenOffset = info.offset;
    if (!parser) parser = rootParser(info.token);
    watcher.see(info.token, info.value);
    if (watcher.found === 'object') {
      throw formatError(fileName, `recordPath "${recordPath}" points to an object, not a list of records`, {}, positions.at(info.offset));
    }
    parser.write(info as Parameters<TokenParser['write']>[0]);
  };

  function rootParser(token: TokenType): TokenParser {
    if (segments.length === 0 && token !== TokenType.LEFT_BRACKET && token !== TokenType.LEFT_BRACE) {
      throw formatError(fileName, 'expected a JSON object or a list of objects', {}, positions.at(lastTokenOffset));
    }
    const path = segments.length > 0 ? `$.${segments.join('.')}.*` : token === TokenType.LEFT_BRACKET ? '$.*' : '$';
    // keepStack false: emitted elements are removed from their parent list, so memory holds one record.
    const p = new TokenParser({ paths: [path], keepStack: false });
    p.onValue = ({ value }) => {
      const problem = recordProblem(value, limits);
      if (problem) throw formatError(fileName, problem, { code: 'RECORD_LIMIT' }, positions.at(lastTokenOffset));
      records.push(value);
    };
    p.onEnd = () => {
      if (!tokenizer.isEnded) tokenizer.end();
    };
    return p;
  }

  const encoder = new TextEncoder();
  const write = (bytes: Uint8Array | undefined) => {
    try {
      if (bytes) tokenizer.write(bytes);
      else tokenizer.end();
    } catch (err) {
      throw jsonError(fileName, err, positions, lastTokenOffset, bytes === undefined);
    }
  };

  for await (const text of decodeText(chunks, fileName, options.encoding)) {
    const bytes = encoder.encode(text);
    positions.feed(bytes);
    write(bytes);
    yield* records.splice(0);
  }
  if (!tokenizer.isEnded) write(undefined);
  if (!parser) throw formatError(fileName, 'the file is empty; expected a JSON object or a list');
  if (!parser.isEnded) throw jsonError(fileName, new Error('ended early'), positions, positions.end, true);
  yield* records.splice(0);
  if (segments.length > 0 && !watcher.found) {
    throw formatError(fileName, `no list found at recordPath "${recordPath}"`);
  }
}

function jsonError(fileName: string, err: unknown, positions: LinePositions, tokenOffset: number, atEnd: boolean): FlowError {
  if (err instanceof FlowError) return err;
  if (atEnd) {
    return formatError(fileName, 'the document ends too early (is the file truncated?)', { cause: err }, positions.at(positions.end));
  }
  const problem = describeJsonError(err, tokenOffset);
  const at = problem.offset !== undefined ? positions.at(problem.offset) : {};
  return formatError(fileName, problem.message, { cause: err }, at);
}

/**
 * Follows the key path of the containers being opened, to tell whether the
 * `recordPath` exists and is a list (the token parser only reports matches).
 */
class PathWatcher {
  found: 'array' | 'object' | undefined;
  private frames: { array: boolean; key: string | number | undefined; expectKey: boolean }[] = [];

  constructor(private readonly segments: string[]) {}

  see(token: TokenType, value: unknown): void {
    if (this.segments.length === 0 || this.found) return;
    const top = this.frames[this.frames.length - 1];
    switch (token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET: {
        const array = token === TokenType.LEFT_BRACKET;
        if (this.frames.length === this.segments.length && this.frames.every((f, i) => String(f.key) === this.segments[i])) {
          this.found = array ? 'array' : 'object';
        }
        this.frames.push({ array, key: array ? 0 : undefined, expectKey: !array });
        break;
      }
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        this.frames.pop();
        break;
      case TokenType.COMMA:
        if (top?.array) top.key = (top.key as number) + 1;
        else if (top) top.expectKey = true;
        break;
      case TokenType.STRING:
        if (top && !top.array && top.expectKey) {
          top.key = value as string;
          top.expectKey = false;
        }
        break;
    }
  }
}

/**
 * Maps byte offsets to line and column, remembering only the most recent
 * newlines so memory stays bounded; offsets older than that have no position.
 */
class LinePositions {
  /** Bytes seen so far. */
  end = 0;
  private newlines = 0;
  private recent: number[] = [];
  private forgotten = false;

  feed(bytes: Uint8Array): void {
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) {
      this.recent.push(this.end + i);
      this.newlines++;
    }
    if (this.recent.length > 1024) {
      this.recent.splice(0, this.recent.length - 512);
      this.forgotten = true;
    }
    this.end += bytes.length;
  }

  at(offset: number): TextPosition {
    let after = 0;
    let i = this.recent.length - 1;
    for (; i >= 0 && this.recent[i] >= offset; i--) after++;
    if (i < 0 && this.forgotten) return {};
    const lineStart = i >= 0 ? this.recent[i] + 1 : 0;
    return { line: this.newlines - after + 1, column: offset - lineStart + 1 };
  }
}
