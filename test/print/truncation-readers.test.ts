/**
 * NTP, Babel and RADIUS read their fields through bytes.ts's bounds-checked Bytes: a field past
 * the captured end stops the text there with the protocol's truncation mark. For every captured
 * length short of the message, the text must be the full text cut at a field boundary, followed
 * by that mark — never a field printed from bytes that were not captured.
 */
import { describe, expect, it } from 'vitest';
import { ntp } from '../../src/print/ip/ntp.ts';
import { babel } from '../../src/print/ip/babel.ts';
import { radiusText } from '../../src/print/ip/radius.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!.map((x) => parseInt(x, 16)));

function checkCuts(msg: Uint8Array, mark: string, print: (end: number) => string | null, minCut = 1): void {
  const full = print(msg.length);
  expect(full).not.toBeNull();
  expect(full!).not.toContain(mark);
  let cuts = 0;
  for (let end = minCut; end < msg.length; end++) {
    const text = print(end);
    expect(text, `captured ${end}`).not.toBeNull();
    expect(text!.endsWith(mark), `captured ${end}: ${JSON.stringify(text)}`).toBe(true);
    const before = text!.slice(0, -mark.length);
    expect(full!.startsWith(before), `captured ${end}: ${JSON.stringify(text)}`).toBe(true);
    cuts++;
  }
  expect(cuts).toBeGreaterThan(0);
}

describe('truncated messages read through Bytes', () => {
  it('NTP -v: every cut of a client message ends in [|ntp] after the last whole field', () => {
    const m = hex('e3 00 06 ec 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 dd3f1f0b 4c3b1000');
    const host4 = (o: number): string => `${m[o]}.${m[o + 1]}.${m[o + 2]}.${m[o + 3]}`;
    checkCuts(m, ' [|ntp]', (end) => ntp(m, 0, m.length, end, 1, host4));
    expect(ntp(m, 0, m.length, 40, 1, host4)).toContain('Receive Timestamp:    0.000000000 [|ntp]');
  });

  it('Babel -v: every cut of a Hello message ends in [|babel]', () => {
    const m = hex('2a 02 000c 04 06 0000 0001 0190 01 02 0000');
    checkCuts(m, ' [|babel]', (end) => babel(m, 0, m.length, end, 1, false));
    expect(babel(m, 0, m.length, m.length, 1, false)).toContain('Hello seqno 1 interval 4.00s');
  });

  it('RADIUS -v: every cut inside the attributes ends in [|radius]', () => {
    const m = hex('01 07 001a 00112233445566778899aabbccddeeff 01 06 62 6f 62 00');
    // The fixed 20-byte header is checked by the caller before radiusText is reached.
    checkCuts(m, ' [|radius]', (end) => radiusText(m, 0, m.length, end, 1), 20);
    expect(radiusText(m, 0, m.length, m.length, 1)).toContain('User-Name Attribute (1), length: 6, Value: bob');
  });
});
