/** Error tests: syntax errors name the column; semantic errors say what is wrong. */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { UserError } from '../../src/errors.ts';

const opts = { linkType: 1, snaplen: 262144, optimize: true, resolver: tableResolver({}) };

function err(expr: string, linkType = 1): UserError {
  try {
    compile(expr, { ...opts, linkType });
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    const u = e as UserError;
    expect(u.source).toBe(expr);
    expect(u.span).toBeDefined();
    return u;
  }
  throw new Error(`'${expr}' compiled`);
}

describe('filter errors', () => {
  it('points at the end for a missing port', () => {
    const e = err('tcp port');
    expect(e.message).toBe("expected a port number after 'port'");
    expect(e.span).toEqual({ start: 8, end: 8 });
  });
  it('points at unexpected tokens', () => {
    expect(err('tcp and or udp').span).toEqual({ start: 8, end: 10 });
    expect(err('(tcp').message).toMatch(/expected '\)'/);
    expect(err('ip[0:3] = 1').message).toMatch(/data size must be 1, 2, or 4/);
    expect(err('tcp or 80').message).toMatch(/qualifiers/);
  });
  it('reports semantic errors', () => {
    expect(err('port 99999').message).toMatch(/port number 99999 > 65535/);
    expect(err('net 10.0.0.1/8').message).toMatch(/non-network bits set in "10.0.0.1\/8"/);
    expect(err('ether host 1:2:3:4:5:6', 101).message).toMatch(/not supported on link type RAW/);
    expect(err('host nosuchhost.invalid').message).toMatch(/unknown host/);
    expect(err('ip[0] / 0 = 1').message).toMatch(/division by zero/);
    expect(err('vlan 4096').message).toMatch(/greater than maximum 4095/);
    expect(err('tcp host 1.2.3.4').message).toMatch(/'tcp' modifier applied to host/);
    expect(err('ip broadcast').message).toMatch(/netmask not known/);
    expect(err('mpls and arp').message).toBe('unsupported protocol over mpls');
    expect(err('ip[0] << 32 = 1').message).toBe('shift by more than 31 bits');
    expect(err('src protochain 6').message).toMatch(/direction/);
  });
  it('reports filters that can never match when optimizing', () => {
    expect(err('ip6 and ip6 host 1.2.3.4'.replace('ip6 host', 'host'), 228).message).toBe('expression rejects all packets');
    // Unoptimized, libpcap (and we) just return a program that rejects everything.
    expect(compile('ip6', { ...opts, linkType: 228, optimize: false })).toEqual([{ code: 6, jt: 0, jf: 0, k: 0 }]);
  });
});
