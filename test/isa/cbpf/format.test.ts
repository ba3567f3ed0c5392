/**
 * The -d/-dd/-ddd printers against golden text made by the local tcpdump 4.99.3 / libpcap 1.10.3
 * (test/tools/gen-cbpf-golden.ts): tcpdump's listings for every compiling row of the libpcap
 * corpus tsv, and libpcap's bpf_dump for every opcode with assorted operands.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpfImage, formatD, formatDD, formatDDD, formatDDDLine, parseProgram } from '../../../src/isa/cbpf/index.ts';
import { goldenDir } from '../../cbpf/corpus-path.ts';

interface Listing {
  dlt: string; expr: string; optimize: boolean | 'both'; tsv: string; matchesTsv?: boolean;
  d?: string; dd?: string; ddd?: string; tcpdumpError?: string;
}

const listings: Listing[] = readFileSync(join(goldenDir, 'tcpdump-listings.jsonl'), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l) as Listing);

describe('printers vs tcpdump listings of the libpcap 1.10.3 tsv', () => {
  it('has golden listings for the tsv rows', () => {
    expect(listings.length).toBeGreaterThan(1500);
  });

  it('prints the tsv bytecode exactly as tcpdump does (-d, -dd, -ddd) for every row', () => {
    const bad: string[] = [];
    let compared = 0;
    for (const l of listings) {
      if (!l.matchesTsv || l.d === undefined) continue; // tcpdump compiled another program (netmask rows)
      const prog = parseProgram(l.tsv);
      compared++;
      if (formatD(prog) !== l.d) bad.push(`-d  ${l.dlt} ${JSON.stringify(l.expr)} opt=${l.optimize}`);
      if (formatDD(prog) !== l.dd) bad.push(`-dd ${l.dlt} ${JSON.stringify(l.expr)} opt=${l.optimize}`);
      if (formatDDD(prog) !== l.ddd) bad.push(`-ddd ${l.dlt} ${JSON.stringify(l.expr)} opt=${l.optimize}`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(compared).toBeGreaterThan(1500);
  });

  it("reprints tcpdump's own program for every row, including those differing from the tsv", () => {
    let compared = 0;
    for (const l of listings) {
      if (l.ddd === undefined) continue;
      const prog = parseProgram(l.ddd);
      expect(formatD(prog)).toBe(l.d);
      expect(formatDD(prog)).toBe(l.dd);
      // and the -dd text parses back to the same program
      expect(formatDDDLine(parseProgram(l.dd!))).toBe(formatDDDLine(prog));
      compared++;
    }
    expect(compared).toBe(listings.filter((l) => l.ddd !== undefined).length);
  });
});

describe('printers vs libpcap bpf_dump for every opcode', () => {
  const text = readFileSync(join(goldenDir, 'libpcap-bpf-dump.txt'), 'utf8');
  const sections = text.split('== program ').filter((s) => s !== '');

  it('covers all 256 8-bit opcodes and a 4-digit pc', () => {
    expect(sections.length).toBeGreaterThanOrEqual(257);
    expect(text).toContain('\n(1099) ');
  });

  it('matches -d, -dd and -ddd byte for byte', () => {
    for (const s of sections) {
      const m = /^(.*)\n-- d\n([\s\S]*)-- dd\n([\s\S]*)-- ddd\n([\s\S]*)$/.exec(s);
      expect(m).not.toBeNull();
      const prog = parseProgram(m![1]!);
      expect(formatD(prog)).toBe(m![2]);
      expect(formatDD(prog)).toBe(m![3]);
      expect(formatDDD(prog)).toBe(m![4]);
    }
  });
});

describe('bpfImage details', () => {
  it('prints absolute jump targets from the given pc', () => {
    expect(bpfImage({ code: 0x15, jt: 1, jf: 2, k: 0x800 }, 10)).toBe('(010) jeq      #0x800           jt 12\tjf 13');
    expect(bpfImage({ code: 0x05, jt: 0, jf: 0, k: 3 }, 1)).toBe('(001) ja       5');
  });
  it('prints unknown encodings as unimp', () => {
    expect(bpfImage({ code: 0x0e, jt: 0, jf: 0, k: 1 }, 0)).toBe('(000) unimp    0xe');
    expect(bpfImage({ code: 0x81, jt: 0, jf: 0, k: 0 }, 0)).toBe('(000) unimp    0x81');
  });
});
