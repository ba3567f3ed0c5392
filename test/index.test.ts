/**
 * The library entry point: the whole pipeline through src/index.ts on one packet — compile an
 * expression, print it, run it in the cBPF VM, convert it to eBPF, verify and run it on every
 * engine — with the verdicts agreeing.
 */
import { describe, expect, it } from 'vitest';
import * as tsdump from '../src/index.ts';
import { loadConverted } from '../src/pipeline.ts';

// Ethernet + IPv4 + TCP 10.0.0.1:1234 → 10.0.0.2:80, SYN.
const packet = Uint8Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
  0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
  0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0x00, 0, 0, 0, 0,
]);

describe('library entry point', () => {
  it('compiles, prints and interprets an expression', () => {
    const prog = tsdump.compile('tcp dst port 80', { linkType: 1, snaplen: 262144, optimize: true });
    expect(tsdump.formatD(prog)).toContain('ret      #262144');
    expect(tsdump.interpret(prog, packet, packet.length)).toBe(262144);
    const other = tsdump.compile('udp or tcp port 443', { linkType: 1, snaplen: 262144, optimize: true });
    expect(tsdump.interpret(other, packet, packet.length)).toBe(0);
  });

  it('reports a filter syntax error with a span', () => {
    try {
      tsdump.compile('tcp port', { linkType: 1, snaplen: 262144, optimize: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(tsdump.UserError);
      expect((e as tsdump.UserError).span?.start).toBe(8);
    }
  });

  it('the converted eBPF program gives the cBPF verdict on every engine and hook', () => {
    let accepted = 0;
    for (const expr of ['tcp dst port 80', 'udp', 'ip host 10.0.0.2 and tcp[13] & 2 != 0', 'ip[8] > 64', 'len > 40']) {
      const prog = tsdump.compile(expr, { linkType: 1, snaplen: 262144, optimize: true });
      const want = tsdump.interpret(prog, packet, packet.length);
      if (want !== 0) accepted++;
      for (const hook of ['socket', 'xdp'] as const) {
        const converted = tsdump.convert(prog, { hook, xdpResult: 'value' });
        for (const engine of tsdump.ENGINE_NAMES) {
          const runner = loadConverted(converted, hook, { engine });
          expect(runner.run(packet, 0, packet.length, packet.length), `${expr} ${hook} ${engine}`).toBe(want);
        }
      }
    }
    expect(accepted).toBe(3); // tcp dst port 80, host+SYN, len > 40
  });
});
