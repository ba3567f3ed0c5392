/**
 * The link-type table: lookups by name (case-insensitive, prefixes, aliases), by DLT and by
 * LINKTYPE; the DLT↔LINKTYPE remapping; agreement with the names and numbers the reference corpus
 * uses (libpcap test tables, libpcap 1.10.3 compile results, tcpdump captures list).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LINK_TYPES,
  describeDlt,
  dltName,
  dltToLinkType,
  linkTypeByDlt,
  linkTypeByLinkType,
  linkTypeByName,
  linkTypeToDlt,
  maxSnaplenForDlt,
  splitLinkTypeField,
} from '../../src/capture/index.ts';
import { corpusDir, haveCorpus } from './corpus.ts';

describe('link-type table', () => {
  it('finds names case-insensitively, with DLT_/LINKTYPE_ prefixes and aliases', () => {
    expect(linkTypeByName('EN10MB')?.dlt).toBe(1);
    expect(linkTypeByName('en10mb')?.dlt).toBe(1);
    expect(linkTypeByName('DLT_LINUX_SLL2')?.dlt).toBe(276);
    expect(linkTypeByName('linktype_raw')?.linkType).toBe(101);
    expect(linkTypeByName('CHDLC')?.name).toBe('C_HDLC');
    expect(linkTypeByName('IEEE802_15_4_WITHFCS')?.dlt).toBe(195);
    expect(linkTypeByName('NOT_A_LINK_TYPE')).toBeUndefined();
  });

  it('knows the names tcpdump -y documents', () => {
    const names = ['EN10MB', 'LINUX_SLL', 'LINUX_SLL2', 'RAW', 'IPV4', 'IPV6', 'NULL', 'LOOP', 'PPP', 'IEEE802_11', 'IEEE802_11_RADIO', 'PFLOG', 'FDDI', 'IEEE802', 'C_HDLC', 'SLIP'];
    for (const n of names) expect(linkTypeByName(n), n).toBeDefined();
    expect(linkTypeByName('IPV4')?.dlt).toBe(228);
    expect(linkTypeByName('LOOP')?.dlt).toBe(108);
    expect(linkTypeByName('PFLOG')?.dlt).toBe(117);
  });

  it('maps the DLTs whose savefile LINKTYPE differs, both ways', () => {
    const pairs: Array<[string, number, number]> = [
      ['ATM_RFC1483', 11, 100],
      ['RAW', 12, 101],
      ['SLIP_BSDOS', 15, 102],
      ['PPP_BSDOS', 16, 103],
      ['ATM_CLIP', 19, 106],
    ];
    for (const [name, dlt, lt] of pairs) {
      expect(linkTypeByName(name)?.dlt, name).toBe(dlt);
      expect(dltToLinkType(dlt), name).toBe(lt);
      expect(linkTypeToDlt(lt), name).toBe(dlt);
      expect(linkTypeByLinkType(lt)?.name).toBe(name);
    }
    // Equal numbers elsewhere, including the matching range and PFLOG.
    expect(dltToLinkType(1)).toBe(1);
    expect(dltToLinkType(117)).toBe(117);
    expect(dltToLinkType(160)).toBe(160);
    expect(linkTypeToDlt(147)).toBe(147);
    // A DLT with no savefile encoding; unknown LINKTYPEs pass through.
    expect(dltToLinkType(3145728)).toBe(-1);
    expect(linkTypeToDlt(3145728)).toBe(3145728);
  });

  it('round-trips every row and has unique names', () => {
    const seen = new Set<string>();
    for (const t of LINK_TYPES) {
      expect(seen.has(t.name), t.name).toBe(false);
      seen.add(t.name);
      expect(linkTypeByName(t.name)).toBe(t);
      expect(linkTypeToDlt(dltToLinkType(t.dlt)), t.name).toBe(linkTypeByDlt(t.dlt)!.dlt);
    }
    // libpcap 1.10.3's own table has 152 names.
    expect(LINK_TYPES.filter((t) => t.libpcap1103).length).toBe(152);
  });

  it('describes DLTs as tcpdump does', () => {
    expect(describeDlt(1)).toBe('EN10MB (Ethernet)');
    expect(describeDlt(113)).toBe('LINUX_SLL (Linux cooked v1)');
    expect(describeDlt(149)).toBe('149'); // USER2: no name in libpcap 1.10.3
    expect(dltName(12)).toBe('RAW');
    expect(maxSnaplenForDlt(1)).toBe(262144);
    expect(maxSnaplenForDlt(231)).toBe(128 * 1024 * 1024);
  });

  it('splits the pcap link-type field', () => {
    expect(splitLinkTypeField(0x24000001)).toEqual({ linkType: 1, ext: 0x24000000, fcsLength: 4 });
    expect(splitLinkTypeField(0x30000001)).toEqual({ linkType: 1, ext: 0x30000000, fcsLength: null });
    expect(splitLinkTypeField(0x00300000).linkType).toBe(0x300000);
  });
});

describe.skipIf(!haveCorpus('link-type corpus test'))('link-type names used by the corpus', () => {
  it('resolves every dlt of the libpcap test tables', () => {
    const missing = new Set<string>();
    for (const f of ['filter_accept', 'filter_apply', 'filter_reject']) {
      for (const line of readFileSync(join(corpusDir, 'libpcap', `${f}.jsonl`), 'utf8').split('\n')) {
        if (!line) continue;
        const dlt = (JSON.parse(line) as { dlt?: string | null }).dlt;
        if (dlt && !linkTypeByName(dlt)) missing.add(dlt);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('agrees with the DLT values libpcap 1.10.3 compiled for', () => {
    const lines = readFileSync(join(corpusDir, 'libpcap', 'compiled-by-libpcap-1.10.3.tsv'), 'utf8').split('\n');
    const header = lines[0]!.split('\t');
    const iName = header.indexOf('dlt');
    const iValue = header.indexOf('dlt_value');
    const wrong: string[] = [];
    for (const line of lines.slice(1)) {
      const f = line.split('\t');
      if (f.length < header.length || f[iValue] === '') continue;
      const t = linkTypeByName(f[iName]!);
      if (!t || t.dlt !== Number(f[iValue])) wrong.push(`${f[iName]}=${f[iValue]}`);
    }
    expect([...new Set(wrong)]).toEqual([]);
  });

  it('resolves every link-type name of the tcpdump captures list', () => {
    const missing = new Set<string>();
    for (const line of readFileSync(join(corpusDir, 'tcpdump-captures', '_captures.tsv'), 'utf8').split('\n').slice(1)) {
      const name = line.split('\t')[2];
      if (name && !/^\d+,?$/.test(name) && !linkTypeByName(name)) missing.add(name);
    }
    expect([...missing]).toEqual([]);
  });
});
