/**
 * Robustness: random token soups (keywords, numbers, addresses, operators) either compile to a
 * program or throw a UserError with a span inside the text — never another exception.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { UserError } from '../../src/errors.ts';

const WORDS = ['tcp', 'udp', 'ip', 'ip6', 'arp', 'host', 'net', 'port', 'portrange', 'src', 'dst', 'and', 'or', 'not',
  '!', '(', ')', '[', ']', ':', '=', '!=', '<', '>', '+', '-', '*', '/', '&', '|', '^', '<<', '>>', 'len', 'ether',
  'proto', 'protochain', 'vlan', 'mpls', 'pppoes', 'geneve', 'broadcast', 'multicast', 'less', 'greater', '10.0.0.1',
  '10.0', '2001:db8::1', '1:2:3:4:5:6', '80', '0', '4', '65536', '1-100', 'mask', '255.255.0.0', '/', '24', 'llc',
  'wlan', 'type', 'subtype', 'data', 'inbound', 'icmp', 'icmp6', 'sio', 'vpi', 'on', 'reason', '\\tcp', 'gateway'];

describe('filter compiler robustness', () => {
  it('only ever throws UserError', () => {
    const resolver = tableResolver({});
    fc.assert(fc.property(
      fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }),
      fc.constantFrom(1, 101, 113, 105, 127, 117, 140, 0, 7),
      fc.boolean(),
      (words, linkType, optimize) => {
        const text = words.join(' ');
        try {
          const prog = compile(text, { linkType, snaplen: 65535, optimize, resolver });
          expect(prog.length).toBeGreaterThan(0);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          expect(e.source).toBe(text);
          if (e.span) expect(e.span.end).toBeLessThanOrEqual(text.length);
        }
      }), { numRuns: 3000, seed: 42 });
  });
});
