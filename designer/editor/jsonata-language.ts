/** JSONata syntax highlighting for CodeMirror 6 (a stream tokenizer: small and fast enough). */
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

interface State {
  inComment: boolean;
  /** Last significant character, to tell a regex literal from a division. */
  last: string;
}

const KEYWORDS = /^(?:and|or|in|function)\b/;
const ATOMS = /^(?:true|false|null)\b/;
const OPERATORS = /^(?::=|!=|<=|>=|~>|\.\.|\?:|\?\?|[-+*/%&=<>!?:.,;|^#@~])/;
const BEFORE_REGEX = '([{,:;=!&|?+-*%<>~';

function readQuoted(stream: StringStream, quote: string): void {
  let escaped = false;
  let ch: ReturnType<StringStream["next"]>;
  while ((ch = stream.next()) != null) {
    if (ch === quote && !escaped) return;
    escaped = !escaped && ch === '\\' && quote !== '`';
  }
}

export const jsonataLanguage = StreamLanguage.define<State>({
  name: 'jsonata',
  startState: () => ({ inComment: false, last: '' }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.match(/^[\s\S]*?\*\//)) state.inComment = false;
      else stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('/*')) {
      state.inComment = true;
      return 'comment';
    }
    const ch = stream.peek()!;
    let style: string | null;
    if (ch === '"' || ch === "'") {
      stream.next();
      readQuoted(stream, ch);
      style = 'string';
    } else if (ch === '`') {
      stream.next();
      readQuoted(stream, '`');
      style = 'propertyName';
    } else if (ch === '/' && (state.last === '' || BEFORE_REGEX.includes(state.last))) {
      stream.next();
      readQuoted(stream, '/');
      stream.match(/^[im]*/);
      style = 'regexp';
    } else if (stream.match(/^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/)) style = 'number';
    else if (stream.match(/^\$[A-Za-z_][\w]*(?=\s*\()/)) style = 'function';
    else if (stream.match(/^\$[\w]*/)) style = 'variableName';
    else if (stream.match(KEYWORDS)) style = 'keyword';
    else if (stream.match(ATOMS)) style = 'atom';
    else if (stream.match(/^[A-Za-z_][\w]*/)) style = 'propertyName';
    else if (stream.match(OPERATORS)) style = 'operator';
    else if (stream.match(/^[()[\]{}]/)) style = 'bracket';
    else {
      stream.next();
      style = null;
    }
    state.last = stream.current().slice(-1);
    return style;
  },
  tokenTable: { function: t.function(t.variableName), regexp: t.regexp },
  languageData: { commentTokens: { block: { open: '/*', close: '*/' } }, closeBrackets: { brackets: ['(', '[', '{', '"', "'", '`'] } },
});

export const jsonataHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.string, color: '#047857' },
    { tag: t.number, color: '#b45309' },
    { tag: [t.atom, t.bool], color: '#b45309' },
    { tag: t.keyword, color: '#7c3aed', fontWeight: '600' },
    { tag: t.function(t.variableName), color: '#2563eb', fontWeight: '600' },
    { tag: t.variableName, color: '#be185d' },
    { tag: t.propertyName, color: '#0f172a' },
    { tag: t.operator, color: '#64748b' },
    { tag: t.comment, color: '#94a3b8', fontStyle: 'italic' },
    { tag: t.regexp, color: '#c2410c' },
    { tag: t.bracket, color: '#475569' },
  ]),
);
