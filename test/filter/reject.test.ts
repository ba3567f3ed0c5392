/**
 * Every expression of the corpus filter_reject.jsonl that libpcap 1.10.3 rejects (per the
 * committed oracle test/filter/data/reject-oracle.jsonl, regenerated from the local tcpdump by
 * test/tools/filter-reject-oracle.ts) must be rejected by `compile` with a UserError carrying a
 * span and the source. Rows 1.10.3 accepts must compile when the link type is supported.
 * Name lookups use an empty resolver: the oracle machine had no `*.libpcap.test` names either.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { UserError } from '../../src/errors.ts';
import { LINKTYPE_BY_NAME } from './helpers/corpus.ts';

interface OracleRow { dlt: string; expr: string; rejects: boolean; error?: string }

const here = dirname(fileURLToPath(import.meta.url));
const rows: OracleRow[] = readFileSync(join(here, 'data/reject-oracle.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as OracleRow);
const resolver = tableResolver({ protocols: 'tcp 6 TCP\nudp 17 UDP\nicmp 1 ICMP\n', services: 'http 80/tcp\ndomain 53/tcp\ndomain 53/udp\nsmtp 25/tcp\n' });

function attempt(r: OracleRow): UserError | 'compiled' | Error {
  const linkType = LINKTYPE_BY_NAME[r.dlt] ?? -1;
  try {
    compile(r.expr, { linkType, snaplen: 262144, optimize: true, netmask: 0xffffff00, resolver });
    return 'compiled';
  } catch (e) {
    return e instanceof UserError ? e : (e as Error);
  }
}

describe('expressions libpcap 1.10.3 rejects', () => {
  it(`are rejected with a UserError (${rows.filter((r) => r.rejects).length} rows)`, () => {
    const wrong: string[] = [];
    for (const r of rows) {
      if (!r.rejects) continue;
      const res = attempt(r);
      if (res === 'compiled') wrong.push(`${r.dlt} '${r.expr}' compiled; libpcap: ${r.error}`);
      else if (!(res instanceof UserError)) wrong.push(`${r.dlt} '${r.expr}' crashed: ${res.message}`);
      else if (!res.span || res.source !== r.expr) wrong.push(`${r.dlt} '${r.expr}': error without span/source`);
    }
    expect(wrong.slice(0, 40)).toEqual([]);
  });
  it('rows 1.10.3 accepts compile on supported link types', () => {
    const wrong: string[] = [];
    for (const r of rows) {
      if (r.rejects || LINKTYPE_BY_NAME[r.dlt] === undefined) continue;
      const res = attempt(r);
      if (res !== 'compiled') wrong.push(`${r.dlt} '${r.expr}': ${res.message}`);
    }
    expect(wrong.slice(0, 40)).toEqual([]);
  });
});
