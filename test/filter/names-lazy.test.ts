/**
 * Name tables are read and parsed on their first lookup (src/filter/names.ts): compiling an
 * expression that names nothing reads no file, and a lookup reads only its own table.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';

function counted() {
  const reads: string[] = [];
  const text: Record<string, string> = {
    hosts: '10.1.2.3 alpha\n', networks: 'lan 10.1\n', services: 'web 8080/tcp\n', protocols: 'foo 99\n', ethers: '02:00:00:00:00:01 beta\n',
  };
  const t = Object.fromEntries(Object.keys(text).map((k) => [k, undefined]));
  for (const k of Object.keys(text)) Object.defineProperty(t, k, { get: () => { reads.push(k); return text[k]; } });
  return { resolver: tableResolver(t), reads };
}

describe('name tables', () => {
  it('a numeric expression reads no table', () => {
    const { resolver, reads } = counted();
    compile('tcp port 80 and host 10.0.0.1 and net 192.168.0.0/16', { linkType: 1, snaplen: 262144, optimize: true, resolver });
    expect(reads).toEqual([]);
  });
  it('each table is read once, on its first lookup', () => {
    const { resolver, reads } = counted();
    expect(resolver.host('ALPHA')?.v4).toEqual([0x0a010203]);
    expect(resolver.host('alpha')?.v4).toEqual([0x0a010203]);
    expect(reads).toEqual(['hosts']);
    expect(resolver.service('web', 'tcp')).toBe(8080);
    expect(resolver.service('web', 'udp')).toBeUndefined();
    expect(resolver.protocol('foo')).toBe(99);
    expect(resolver.network('lan')).toBe(0x0a01);
    expect(Array.from(resolver.ether('beta')!)).toEqual([2, 0, 0, 0, 0, 1]);
    expect(reads).toEqual(['hosts', 'services', 'protocols', 'networks', 'ethers']);
  });
});
