/**
 * tcpdump 4.99.3's text-protocol printer (txtproto_print in util-print.c) for HTTP, RTSP, FTP,
 * SMTP and WHOIS over TCP: `: HTTP: GET / HTTP/1.1` (the first line), with -v `: HTTP, length:
 * N` and every printable line on its own `\n\t` line, stopping at binary data; a line without
 * its end is followed by ` [|http]`. HTTP and RTSP print only segments that start with a request
 * (one of their methods) or a response (a 3-digit code as the second token); their other
 * segments print just the protocol name.
 *
 * Technique: fetch_token / print_txt_line over the payload; reads beyond the capture end the
 * text with ` [|proto]` (tcpdump's longjmp: `jumped`).
 */
const HTTP_CMDS = [
  'GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE', 'LABEL', 'MERGE', 'DELETE',
  'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT', 'OPTIONS', 'CHECKIN', 'PROPFIND', 'CHECKOUT',
  'CCM_POST', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND', 'BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE', 'UNSUBSCRIBE',
  'RPC_CONNECT', 'VERSION-CONTROL', 'BASELINE-CONTROL',
];
const RTSP_CMDS = ['DESCRIBE', 'ANNOUNCE', 'GET_PARAMETER', 'OPTIONS', 'PAUSE', 'PLAY', 'RECORD', 'REDIRECT', 'SETUP', 'SET_PARAMETER', 'TEARDOWN'];

export type TextProto = 'http' | 'rtsp' | 'ftp' | 'smtp' | 'whois';

const isPrint = (c: number): boolean => c >= 0x20 && c <= 0x7e;

class Jump extends Error {}

/** fetch_token: [index after the token and its blanks (0: none), token]. */
function fetchToken(p: Uint8Array, off: number, idx: number, len: number, end: number): [number, string] {
  let tok = '';
  for (; idx < len; idx++) {
    if (off + idx >= end) return [0, ''];
    const c = p[off + idx]!;
    if (c > 0x7f) return [0, ''];
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) return [0, ''];
    if (tok.length + 2 > 129) return [0, ''];
    tok += String.fromCharCode(c);
  }
  if (tok.length === 0) return [0, ''];
  for (; idx < len; idx++) {
    if (off + idx >= end) break;
    const c = p[off + idx]!;
    if (c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) break;
    if (c !== 0x20 && c !== 0x09) break;
  }
  return [idx, tok];
}

/** print_txt_line: [text, next index (0: stop)]. */
function txtLine(p: Uint8Array, off: number, idx: number, len: number, end: number, prefix: string, trunc: string): [string, number] {
  const start = idx;
  const byte = (i: number): number => {
    if (off + i >= end) throw new Jump();
    return p[off + i]!;
  };
  const text = (n: number): string => String.fromCharCode(...p.subarray(off + start, off + start + n));
  while (idx < len) {
    const c = byte(idx);
    if (c === 0x0a) return [prefix + text(idx - start), idx + 1];
    if (c === 0x0d) {
      if (idx + 1 >= len) return ['', 0];
      if (byte(idx + 1) === 0x0a) return [prefix + text(idx - start), idx + 2];
      return ['', 0];
    }
    if (!isPrint(c) && c !== 0x09) return ['', 0];
    idx++;
  }
  return [prefix + text(idx - start) + trunc, 0];
}

/** What tcpdump prints after the TCP summary for a text protocol's segment. */
export function txtproto(p: Uint8Array, off: number, len: number, end: number, verbose: number, proto: TextProto): { text: string; jumped: boolean } {
  const cmds = proto === 'http' ? HTTP_CMDS : proto === 'rtsp' ? RTSP_CMDS : null;
  let printThis = false;
  if (cmds !== null) {
    let [idx, tok] = fetchToken(p, off, 0, len, end);
    if (idx !== 0) {
      if (cmds.some((c) => c.toLowerCase() === tok.toLowerCase())) printThis = true;
      [idx, tok] = fetchToken(p, off, idx, len, end);
      if (idx !== 0 && /^[0-9]{3}$/.test(tok)) printThis = true;
    }
  } else printThis = true;
  let s = `: ${proto.toUpperCase()}`;
  if (!printThis) return { text: s, jumped: false };
  const trunc = ` [|${proto}]`;
  try {
    if (verbose) {
      s += `, length: ${len}`;
      for (let idx = 0; idx < len; ) {
        const [t, eol] = txtLine(p, off, idx, len, end, '\n\t', trunc);
        s += t;
        if (eol === 0) break;
        idx = eol;
      }
    } else s += txtLine(p, off, 0, len, end, ': ', trunc)[0];
  } catch (e) {
    if (!(e instanceof Jump)) throw e;
    return { text: s + trunc, jumped: true };
  }
  return { text: s, jumped: false };
}
