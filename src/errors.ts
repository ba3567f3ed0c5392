/**
 * User-facing errors. Every error a user can cause (bad filter, bad capture file, bad program)
 * is a `UserError`: a stable `code`, a message, and where it applies a `span` into the source
 * text (filter expressions, assembler input) or a byte `offset` into a file. The CLI prints these
 * as one line (plus a caret line under the span) and never a stack trace; anything else that
 * escapes is a bug in tsdump and is reported as such.
 */

export interface Span {
  /** 0-based offset of the first character. */
  start: number;
  /** 0-based offset one past the last character (start === end for a point, e.g. end of input). */
  end: number;
}

export class UserError extends Error {
  readonly code: string;
  readonly span?: Span;
  /** The text the span points into (a filter expression, an assembler source). */
  readonly source?: string;
  /** Byte offset into a file, for capture and program-file errors. */
  readonly offset?: number;

  constructor(code: string, message: string, extra: { span?: Span; source?: string; offset?: number } = {}) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.span = extra.span;
    this.source = extra.source;
    this.offset = extra.offset;
  }
}

/** Renders `source` with a caret line under `span`, e.g. for "tcp port" → "tcp port\n        ^". */
export function caretLines(source: string, span: Span): string {
  // A long source (a filter file of thousands of terms) is shown as a window around the span,
  // so the error stays a few short lines: "…" marks the text left out on each side.
  const MAX = 160, CONTEXT = 60;
  if (source.length > MAX) {
    const from = Math.max(0, span.start - CONTEXT);
    const to = Math.min(source.length, Math.max(span.end, span.start + 1) + CONTEXT);
    const head = from > 0 ? '…' : '', tail = to < source.length ? '…' : '';
    const shown = source.slice(from, to).replace(/[\r\n\t]/g, ' ');
    const width = Math.max(1, Math.min(span.end, to) - span.start);
    return `${head}${shown}${tail}\n${' '.repeat(head.length + span.start - from)}${'^'.repeat(width)}`;
  }
  const width = Math.max(1, span.end - span.start);
  return `${source}\n${' '.repeat(span.start)}${'^'.repeat(width)}`;
}

/** One human line for an error: "code: message (column N)" style used by the CLI. */
export function formatUserError(e: UserError): string {
  let s = e.message;
  if (e.span) s += ` (column ${e.span.start + 1})`;
  if (e.span && e.source !== undefined) s += `\n${caretLines(e.source, e.span)}`;
  return s;
}
