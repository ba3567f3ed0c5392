/**
 * Shared by the savefile golden's generator (gen-filter-savefile-golden.ts) and its test
 * (test/filter/savefile-golden.test.ts): the link types covered, the generated captures added
 * to the corpus captures of each, and the hash of a selection (FNV-1a 32 over the text
 * "file:i,j,k;" of every file with at least one selected packet, in file order).
 */
import { join } from 'node:path';
import { openCapture } from '../../src/capture/index.ts';
import { REPO_ROOT } from './golden-paths.ts';
export const SAVEFILE_TARGETS: ReadonlyArray<{ dlt: string; linkType: number; generated: string[] }> = [
  { dlt: 'EN10MB', linkType: 1, generated: ['filters/verdicts/packets/EN10MB.pcap'] },
  { dlt: 'RAW', linkType: 101, generated: ['filters/verdicts/packets/RAW.pcap'] },
  { dlt: 'LINUX_SLL', linkType: 113, generated: ['filters/verdicts/packets/LINUX_SLL.pcap'] },
  { dlt: 'NULL', linkType: 0, generated: ['filters/random/packets/NULL.pcap', 'filters/savefile/NULL-be.pcap'] },
  { dlt: 'LOOP', linkType: 108, generated: ['filters/random/packets/LOOP.pcap'] },
  { dlt: 'IEEE802_11_RADIO', linkType: 127, generated: ['filters/verdicts/packets/IEEE802_11_RADIO.pcap'] },
];

export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** A corpus capture as the savefile goldens use it (its packets as libpcap delivers them). */
export interface SavefileCap { path: string; bigEndian: boolean; snaplen: number; packets: { data: Uint8Array; wirelen: number }[] }

/** Reads a capture of the repository (`rel` from its root): a damaged one gives the intact packets before the damage, as libpcap delivers them. */
export function readSavefileCap(rel: string): SavefileCap {
  const r = openCapture(join(REPO_ROOT, rel));
  try {
    const packets: SavefileCap['packets'] = [];
    try {
      for (let rec = r.next(); rec; rec = r.next()) packets.push({ data: rec.data.slice(0, rec.caplen), wirelen: rec.wirelen });
    } catch {
      // a damaged capture: the intact packets before the damage
    }
    return { path: rel, bigEndian: r.info.bigEndian, snaplen: r.info.snaplen, packets };
  } finally {
    r.close();
  }
}
