/**
 * Filter compiler benchmarks: compile time of typical expressions (optimized and not) and of
 * the 1,000-host `host a or host b or ...` stress case the issue sets a budget for (< 1 s).
 */
import { compile } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';
import type { BenchSuite } from './harness.ts';

const resolver = tableResolver({});
const hosts = (n: number): string => Array.from({ length: n }, (_, i) => `host 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(' or ');

export const suite: BenchSuite = {
  name: 'filter compiler',
  setup() {
    const opt = { linkType: 1, snaplen: 262144, optimize: true, resolver };
    const noopt = { ...opt, optimize: false };
    const many = hosts(1000);
    return [
      { name: "compile 'tcp port 80' -O", run: (n: number) => { let x = 0; for (let i = 0; i < n; i++) x += compile('tcp port 80', noopt).length; return x; } },
      { name: "compile 'tcp port 80'", run: (n: number) => { let x = 0; for (let i = 0; i < n; i++) x += compile('tcp port 80', opt).length; return x; } },
      { name: "compile 'host 10.0.0.1 and (tcp or udp) and not port 22'", run: (n: number) => { let x = 0; for (let i = 0; i < n; i++) x += compile('host 10.0.0.1 and (tcp or udp) and not port 22', opt).length; return x; } },
      { name: 'compile 1,000 hosts', run: (n: number) => { let x = 0; for (let i = 0; i < n; i++) x += compile(many, opt).length; return x; } },
    ];
  },
};
