/**
 * libpcap 1.10.3 behaviours the compiler reproduces on purpose, each pinned by a small case
 * whose expected result was checked against tcpdump 4.99.3 (`tcpdump -nn -d -y DLT EXPR`):
 * the grammar's operators without precedence, the parse-time operand checks that look only
 * at the right operand's first instruction, errors only its optimizer reports, and the
 * register allocator that lets 802.11 arithmetic overwrite the header-offset register.
 */
import { describe, expect, it } from 'vitest';
import { compile, parse, printAst } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { interpret } from '../../src/cbpf/interpret.ts';
import { UserError } from '../../src/errors.ts';

const opts = { linkType: 1, snaplen: 262144, optimize: true, resolver: tableResolver({}) };

function message(expr: string, optimize = true): string | undefined {
  try {
    compile(expr, { ...opts, optimize });
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).message;
  }
}

describe('grammar', () => {
  it("'%' and '^' take the whole rest of the expression as their right operand", () => {
    expect(printAst(parse('ip[0] % 7 * 42 = 3'))).toBe('ip[0] % (7 * 42) = 3');
    expect(printAst(parse('ip[0] * 7 % 42 = 3'))).toBe('ip[0] * (7 % 42) = 3');
    expect(printAst(parse('ip[0] + 7 % 4 = 3'))).toBe('ip[0] + (7 % 4) = 3');
    expect(printAst(parse('ip[0] * 7 + 4 = 3'))).toBe('(ip[0] * 7) + 4 = 3');
  });
});

describe('operand checks', () => {
  it('judge the first instruction of the right operand, at parse time', () => {
    expect(message('ip[0] << tcp[40] = 1')).toBe('shift by more than 31 bits'); // ld #40 first
    expect(message('ip[0] / ip[0] = 1')).toBe('division by zero'); // ld #0 first
    expect(message('ip[0] % (0 + ip[1]) = 1')).toBe('modulus by zero');
    expect(message('ip[0] << -40 = 1', false)).toBe('shift by more than 31 bits');
    expect(message('ip[0] << ip[31] = 1')).toBeUndefined();
    expect(message('ip[0] << len = 1')).toBeUndefined();
  });

  it('folded constants fail only when optimizing, as in libpcap’s optimizer', () => {
    expect(message('ip[0] / (1 - 1) = 1')).toBe('division by zero');
    expect(message('ip[0] % (1 - 1) = 1')).toBe('modulus by zero');
    expect(message('ip[0] << (1 + 40) = 1')).toBe('shift by more than 31 bits');
    expect(message('2 << (1 + 40) = 0')).toBeUndefined(); // the optimizer folds it to 0
    for (const e of ['ip[0] / (1 - 1) = 1', 'ip[0] << (1 + 40) = 1', '2 / (1 - 1) = 0']) expect(message(e, false), e).toBeUndefined();
  });

  it('unoptimized, a division by a folded zero rejects at run time', () => {
    const prog = compile('2 / (1 - 1) = 0 or len > 0', { ...opts, optimize: false });
    expect(interpret(prog, new Uint8Array(60))).toBe(0);
    const shift = compile('2 << (1 + 40) = 0', { ...opts, optimize: false });
    expect(interpret(shift, new Uint8Array(60))).toBe(262144);
  });
});

describe('802.11 registers', () => {
  /** An 802.11 data frame (24-byte header) carrying LLC/SNAP IPv4 with protocol ICMP. */
  function wlanIcmp(): Uint8Array {
    const p = new Uint8Array(24 + 8 + 20 + 8);
    p[0] = 0x08; // data frame, no QoS
    p.set([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00], 24);
    p[32] = 0x45;
    p[32 + 9] = 1;
    return p;
  }
  const wlan = { ...opts, linkType: 105 };

  it('alone, `ip proto 1` accepts the frame', () => {
    expect(interpret(compile('ip proto 1', wlan), wlanIcmp())).toBe(262144);
  });

  it('arithmetic that ran first overwrites the payload-offset register (libpcap rejects)', () => {
    // `154` is stored in M[2], which libpcap then also gives to the 802.11 payload offset;
    // `ip proto 1` reads the offset 154 and its load falls past the packet.
    const prog = compile('link[20] == 154 or ip proto 1', wlan);
    expect(interpret(prog, wlanIcmp())).toBe(0);
    // With the relation after the primitive the offset has its own register.
    expect(interpret(compile('ip proto 1 or link[20] == 154', wlan), wlanIcmp())).toBe(262144);
  });
});

describe('SunATM lane', () => {
  // Verdicts of tcpdump 4.99.3's own programs (`tcpdump -ddd -y SUNATM EXPR`) on this packet.
  /** SunATM header (LANE, VPI 0, VCI 5), 2-byte LE header, Ethernet broadcast from 0:1:2:3:4:5, IPv4. */
  function lanePacket(le: number): Uint8Array {
    const p = new Uint8Array(6 + 14 + 20);
    p.set([0x01, 0, 0, 5, le >> 8, le & 0xff], 0);
    p.set([255, 255, 255, 255, 255, 255, 0, 1, 2, 3, 4, 5, 0x08, 0x00, 0x45], 6);
    return p;
  }
  const atm = { ...opts, linkType: 123 };
  const cases: Array<[string, number, number]> = [ // expression, verdict with LE header 0, with 0xff00 (LE Control)
    ['lane and ip', 262144, 0],
    ['ip', 0, 0], // without `lane` only LLC-multiplexed circuits carry IP
    ['lane and broadcast', 262144, 0],
    ['lane and ether src 0:1:2:3:4:5', 262144, 0],
    ['lane and link[0] = 255', 262144, 262144], // link[] starts after the LE header
    ['lane and vpi 255', 262144, 262144], // and so do ATM fields: this is the MAC's second byte
    ['vpi 0 and lane', 262144, 262144],
  ];
  for (const [expr, plain, control] of cases) {
    it(expr, () => {
      const prog = compile(expr, atm);
      expect(interpret(prog, lanePacket(0))).toBe(plain);
      expect(interpret(prog, lanePacket(0xff00))).toBe(control);
    });
  }
});

describe('names', () => {
  it('DECnet host names are an error (libpcap 1.10.3 has no DECnet name support)', () => {
    expect(message('decnet host localhost')).toBe("decnet name support not included, 'localhost' cannot be translated");
    expect(message('decnet src foo')).toBe("decnet name support not included, 'foo' cannot be translated");
    expect(message('decnet host 1.2')).toBeUndefined();
  });
});
