/**
 * Capture I/O throughput. Setup writes a pcap of `--packets` packets (1,000,000 by default) and
 * the same packets as pcapng under os.tmpdir() (deleted by teardown), then measures, per packet: our block reader on both, the
 * npm pcap-parser adapter on the pcap, and the pcap writer into /dev/null. An op is one packet
 * (readers reopen the file at its end), so ops/s is packets/s and MB/s counts file bytes.
 * The notes add one timed full pass per reader and the process's peak RSS: memory stays flat
 * because the readers reuse one 1 MiB block buffer whatever the file size.
 */
import * as fsModule from 'node:fs';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, PcapngWriter, fileSink, openCapture, type CaptureReader, type ReaderKind } from '../../capture/index.ts';
import type { BenchCase, MicroResult, MicroSuite } from './harness.ts';

let PACKETS = 1_000_000;
const dir = join(tmpdir(), `tsdump-capture-bench-${process.pid}`);
const pcapPath = join(dir, 'bench.pcap');
const pcapngPath = join(dir, 'bench.pcapng');
const fullPass: string[] = [];

function generate(): void {
  const { mkdirSync } = fsModule;
  mkdirSync(dir, { recursive: true });
  const frame = new Uint8Array(1514);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 31) & 0xff;
  const pcap = new PcapWriter(fileSink(pcapPath), { linkType: 1, snaplen: 262144 });
  const pcapng = new PcapngWriter(fileSink(pcapngPath), { linkType: 1, snaplen: 262144, precision: 'nano' });
  const rec = { tsSec: 1_700_000_000, tsNsec: 0, caplen: 0, wirelen: 0, buf: frame, dataOffset: 0 };
  for (let i = 0; i < PACKETS; i++) {
    // Sizes 60..187 bytes (mean ~124), a mix like small TCP/UDP traffic.
    rec.caplen = 60 + ((i * 37) & 127);
    rec.wirelen = rec.caplen;
    rec.tsNsec = (i * 1000) % 1_000_000_000;
    rec.tsSec = 1_700_000_000 + Math.floor(i / 1000);
    pcap.writePacket(rec);
    pcapng.writePacket(rec);
  }
  pcap.close();
  pcapng.close();
}


/** A per-packet reading case: `run(n)` reads n packets, reopening at the end of the file. */
function readCase(name: string, path: string, reader: ReaderKind): BenchCase {
  let r: CaptureReader = openCapture(path, { reader });
  const bytesPerPacket = statSync(path).size / PACKETS;
  return {
    name,
    bytesPerOp: bytesPerPacket,
    run(n: number) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        let p = r.next();
        if (p === null) {
          r.close();
          r = openCapture(path, { reader });
          p = r.next()!;
        }
        sum += p.caplen;
      }
      return sum;
    },
  };
}

function timePass(label: string, path: string, reader: ReaderKind): void {
  const t0 = process.hrtime.bigint();
  const r = openCapture(path, { reader });
  let n = 0;
  let bytes = 0;
  for (let p = r.next(); p; p = r.next()) {
    n++;
    bytes += p.caplen;
  }
  r.close();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const size = statSync(path).size;
  fullPass.push(
    `full pass ${label}: ${n.toLocaleString('en-US')} packets in ${s.toFixed(2)} s = ${(n / s / 1e6).toFixed(2)} M packets/s, ${(size / s / 1e6).toFixed(0)} MB/s (file ${(size / 1e6).toFixed(0)} MB, ${(bytes / 1e6).toFixed(0)} MB of packet data)`,
  );
}

export const suite: MicroSuite = {
  name: 'capture',
  setup(ctx) {
    PACKETS = ctx.packets;
    fullPass.length = 0;
    generate();
    timePass('tsdump pcap  ', pcapPath, 'tsdump');
    timePass('tsdump pcapng', pcapngPath, 'tsdump');
    timePass('pcap-parser  ', pcapPath, 'pcap-parser');
    const out = new PcapWriter(fileSink('/dev/null'), { linkType: 1, snaplen: 262144 });
    const frame = new Uint8Array(128);
    const rec = { tsSec: 1_700_000_000, tsNsec: 5000, caplen: 124, wirelen: 124, buf: frame, dataOffset: 0 };
    return [
      readCase('read pcap (tsdump block reader)', pcapPath, 'tsdump'),
      readCase('read pcapng (tsdump block reader)', pcapngPath, 'tsdump'),
      readCase('read pcap (pcap-parser adapter)', pcapPath, 'pcap-parser'),
      {
        name: 'write pcap to /dev/null (124 B)',
        bytesPerOp: 16 + 124,
        run(n: number) {
          for (let i = 0; i < n; i++) out.writePacket(rec);
          return out.packets;
        },
      },
    ];
  },
  notes(results: MicroResult[]) {
    const ours = results.find((r) => r.name.startsWith('read pcap (tsdump'));
    const theirs = results.find((r) => r.name.startsWith('read pcap (pcap-parser'));
    const lines = [...fullPass];
    if (ours && theirs) lines.push(`tsdump reader / pcap-parser: ${(theirs.nsPerOp / ours.nsPerOp).toFixed(1)}x packets/s`);
    lines.push(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (files total ${((statSync(pcapPath).size + statSync(pcapngPath).size) / 1e6).toFixed(0)} MB)`);
    return lines;
  },
  teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
};
