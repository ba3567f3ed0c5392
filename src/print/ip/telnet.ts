/**
 * Telnet (TCP 23) as tcpdump 4.99.3's print-telnet.c prints the commands at the start of a
 * segment: ` [telnet DO ECHO, WILL SUPPRESS GO AHEAD, SB TERMINAL TYPE SEND SE]` (option names,
 * sub-negotiation bytes as %#x); data that does not start with IAC prints nothing. A read beyond
 * the capture ends the text with ` [|telnet]` (`jumped`).
 *
 * Technique: telnet_parse, run once to measure a command and once to print it, as tcpdump does.
 */
const TELCMDS = ['EOF', 'SUSP', 'ABORT', 'EOR', 'SE', 'NOP', 'DMARK', 'BRK', 'IP', 'AO', 'AYT', 'EC', 'EL', 'GA', 'SB', 'WILL', 'WONT', 'DO', 'DONT', 'IAC'];
const TELOPTS = [
  'BINARY', 'ECHO', 'RCP', 'SUPPRESS GO AHEAD', 'NAME', 'STATUS', 'TIMING MARK', 'RCTE', 'NAOL', 'NAOP', 'NAOCRD', 'NAOHTS', 'NAOHTD',
  'NAOFFD', 'NAOVTS', 'NAOVTD', 'NAOLFD', 'EXTEND ASCII', 'LOGOUT', 'BYTE MACRO', 'DATA ENTRY TERMINAL', 'SUPDUP', 'SUPDUP OUTPUT',
  'SEND LOCATION', 'TERMINAL TYPE', 'END OF RECORD', 'TACACS UID', 'OUTPUT MARKING', 'TTYLOC', '3270 REGIME', 'X.3 PAD', 'NAWS',
  'TSPEED', 'LFLOW', 'LINEMODE', 'XDISPLOC', 'OLD-ENVIRON', 'AUTHENTICATION', 'ENCRYPT', 'NEW-ENVIRON',
];
const CMDS = ['IS', 'SEND', 'INFO'];
const AUTHCMD = ['IS', 'SEND', 'REPLY', 'NAME'];
const AUTHTYPE = ['NULL', 'KERBEROS_V4', 'KERBEROS_V5', 'SPX', 'MINK', 'SRP', 'RSA', 'SSL', null, null, 'LOKI', 'SSA', 'KEA_SJ', 'KEA_SJ_INTEG', 'DSS', 'NTLM'];
const ENCCMD = ['IS', 'SUPPORT', 'REPLY', 'START', 'END', 'REQUEST-START', 'REQUEST-END', 'END_KEYID', 'DEC_KEYID'];
const ENCTYPE = ['NULL', 'DES_CFB64', 'DES_OFB64', 'DES3_CFB64', 'DES3_OFB64', null, 'CAST5_40_CFB64', 'CAST5_40_OFB64', 'CAST128_CFB64', 'CAST128_OFB64'];
const IAC = 255;
const SB = 250;
const SE = 240;

/** C's %#x. */
const altHex = (x: number): string => (x === 0 ? '0' : `0x${x.toString(16)}`);
const strOrId = (x: number, tab: ReadonlyArray<string | null>): string => tab[x] ?? altHex(x);

class Jump extends Error {}

/** telnet_parse at `sp`: [bytes used (-1: not a command), text]. */
function parse(p: Uint8Array, sp: number, length: number, end: number): [number, string] {
  const osp = sp;
  let s = '';
  const get = (o: number): number => {
    if (o >= end) throw new Jump();
    return p[o]!;
  };
  const fetch = (): number | null => {
    if (length < 1) return null;
    const c = get(sp);
    sp++;
    length--;
    return c;
  };
  let c = fetch();
  if (c === null || c !== IAC) return [-1, s];
  c = fetch();
  if (c === null) return [-1, s];
  if (c === IAC) return [sp - osp, 'IAC IAC'];
  const i = c - 236;
  if (i < 0 || i > IAC - 236) return [-1, s];
  if (c >= SB && c <= 254) {
    const x = fetch();
    if (x === null) return [-1, s];
    s += x < TELOPTS.length ? `${TELCMDS[i]} ${TELOPTS[x]}` : `${TELCMDS[i]} ${altHex(x)}`;
    if (c !== SB) return [sp - osp, s];
    let q = sp;
    while (length > q + 1 - sp) {
      if (get(q) === IAC && get(q + 1) === SE) break;
      q++;
    }
    if (get(q) !== IAC) return [-1, s];
    const [t1, t2] = x === 37 ? [AUTHCMD, AUTHTYPE] : x === 38 ? [ENCCMD, ENCTYPE] : [CMDS, null];
    if (q > sp) {
      const v = fetch();
      if (v === null) return [-1, s];
      s += ` ${strOrId(v, t1)}`;
      if (t2 && q > sp) {
        const w = fetch();
        if (w === null) return [-1, s];
        s += ` ${strOrId(w, t2)}`;
      }
    }
    while (q > sp) {
      const v = fetch();
      if (v === null) return [-1, s];
      s += ` ${altHex(v)}`;
    }
    s += ' SE';
    sp += 2;
    return [sp - osp, s];
  }
  return [sp - osp, TELCMDS[i]!];
}

/** What tcpdump prints after the TCP summary for telnet data (`len` bytes at `off`, captured up to `end`). */
export function telnet(p: Uint8Array, off: number, len: number, end: number): { text: string; jumped: boolean } {
  let s = '';
  let first = true;
  try {
    while (len > 0) {
      if (off >= end) throw new Jump();
      if (p[off] !== IAC) break;
      const [l] = parse(p, off, len, end);
      if (l < 0) break;
      s += first ? ' [telnet ' : ', ';
      s += parse(p, off, len, end)[1];
      first = false;
      off += l;
      len -= l;
    }
  } catch (e) {
    if (!(e instanceof Jump)) throw e;
    return { text: `${s} [|telnet]`, jumped: true };
  }
  if (!first) s += ']';
  return { text: s, jumped: false };
}
