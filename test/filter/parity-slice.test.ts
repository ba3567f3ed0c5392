/**
 * The seeded slice of the parity harness (test/tools/parity-harness.ts), recorded from libpcap
 * 1.10.3 so it runs without libpcap: rows over every link type 1.10.3 compiles for, in the
 * savefile and dead-handle contexts (NULL/LOOP savefiles in both byte orders) and, where the
 * recording ran as root, the live context (an activated `lo`/`any` handle), each with
 * libpcap's error or its own bpf_filter verdicts on packets generated to drive both sides of
 * every branch of libpcap's and tsdump's programs. tsdump must reject what libpcap rejects and
 * give the same verdict on every packet (packets on which libpcap's program reads scratch memory
 * it never wrote are recorded as -1 and not compared). Rows that disagreed when the slice was
 * recorded are marked `open` (known, listed in the harness's report) and only counted; rows of
 * a documented exception (test/tools/parity-exceptions.ts) carry its reason and are counted
 * apart. So this test catches every new disagreement without hiding the known ones.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { compile } from '../../src/filter/index.ts';
import type { CompileContext } from '../../src/filter/index.ts';
import { UserError } from '../../src/errors.ts';
import { interpret } from '../../src/cbpf/interpret.ts';
import { FILTERS_DIR } from '../tools/golden-paths.ts';
import { parityResolver } from '../tools/parity-names.ts';

interface Row { lt: string; linkType: number; ctx: CompileContext; endian: 'le' | 'be'; snaplen: number; expr: string; error?: string; pkts?: string[]; verdicts?: number[]; open?: boolean; exception?: string }

const rows = gunzipSync(readFileSync(join(FILTERS_DIR, 'parity', 'slice.jsonl.gz'))).toString('utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as Row);

describe('parity harness slice (libpcap 1.10.3, recorded)', () => {
  it(`${rows.length} rows: same accept/reject, same verdicts on branch-covering packets`, () => {
    const wrong: string[] = [];
    let open = 0, excepted = 0, packets = 0;
    const byCtx = new Map<string, number>();
    for (const r of rows) {
      byCtx.set(r.ctx, (byCtx.get(r.ctx) ?? 0) + 1);
      if (r.exception !== undefined) { excepted++; continue; }
      if (r.open) { open++; continue; }
      let prog;
      try {
        prog = compile(r.expr, { linkType: r.linkType, snaplen: r.snaplen, optimize: true, netmask: 0, context: r.ctx, swapped: r.endian === 'be', resolver: parityResolver() });
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        if (r.error === undefined) wrong.push(`${r.lt} ${r.ctx} '${r.expr}': rejected (${e.message}); libpcap accepts`);
        continue;
      }
      if (r.error !== undefined) { wrong.push(`${r.lt} ${r.ctx} '${r.expr}': accepted; libpcap: ${r.error}`); continue; }
      r.pkts!.forEach((p, i) => {
        const want = r.verdicts![i]!;
        if (want < 0) return;
        const colon = p.indexOf(':');
        const data = Uint8Array.from(Buffer.from(p.slice(colon + 1), 'hex'));
        packets++;
        const got = interpret(prog, data, Number(p.slice(0, colon)));
        if (got !== want) wrong.push(`${r.lt} ${r.ctx}${r.endian === 'be' ? '-be' : ''} '${r.expr}': packet ${p.slice(0, 80)} → ${got}, libpcap ${want}`);
      });
    }
    console.log(`parity slice: ${rows.length - open - excepted} rows compared (${packets} packets; rows per context: ${[...byCtx].map(([c, n]) => `${c} ${n}`).join(', ')}), ${excepted} documented exceptions and ${open} known-open rows not compared`);
    expect(wrong.slice(0, 30)).toEqual([]);
  });
});
