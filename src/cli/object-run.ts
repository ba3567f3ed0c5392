/**
 * `tsdump -r F --xdp prog.o[:section]` (and `--tc`, `--socket-filter`, and `-i IFACE`): runs
 * every packet through a clang-compiled eBPF program at that hook, the way the kernel would,
 * with the object's maps alive for the whole run.
 *
 * Steps: load the ELF object (src/loader), preload maps given with `--map NAME=FILE` (bpftool
 * JSON), verify and compile the chosen program and its tail-call siblings (programs of the same
 * hook), then for each packet run it and act on r0 as the hook defines it:
 *   XDP     XDP_PASS → passed (the frame as the program left it: adjust_head/tail, stores);
 *           XDP_TX, XDP_REDIRECT → `--tx-out FILE`; XDP_DROP, XDP_ABORTED → dropped.
 *   tc      TC_ACT_OK and TC_ACT_UNSPEC → passed (with the program's stores);
 *           TC_ACT_REDIRECT → `--tx-out`; the rest (SHOT, STOLEN, …) → dropped.
 *   socket  r0 = bytes to keep: 0 drops, otherwise the packet is cut to that length.
 * Passed packets are printed like tcpdump's matches, or written with `-w`, or counted with
 * `--count`; `-c N` stops after N passes. Ring-buffer and perf-event records are printed as
 * they arrive (hex), `bpf_printk` lines go to stderr, `--stats` prints the action histogram and
 * `--dump-maps` every map at the end as `{"name": bpftool map dump -j list}`.
 *
 * Every problem (bad object, unsupported helper or section, verifier refusal, a map file that
 * does not fit) is one UserError line; nothing here prints a stack trace.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import type { CaptureInfo, PacketRecord } from '../capture/types.ts';
import { checkFilterableLinkType, writerFormatFor } from '../capture/index.ts';
import { savefileLinkType } from '../capture/pcap/writer.ts';
import { openLive } from '../capture/live.ts';
import { attachObject } from '../loader/attach.ts';
import type { ObjectHook } from '../loader/attach.ts';
import { dumpObjectMaps, jsonText } from '../loader/btf-format.ts';
import { PerfEventArray } from '../maps/perf-event-array.ts';
import { RingBuf } from '../maps/ringbuf.ts';
import { packetDump } from '../print/hexdump.ts';
import { loadNameTables } from '../print/names.ts';
import { PacketPrinter } from '../print/packet-printer.ts';
import { TimestampFormatter } from '../print/timestamp.ts';
import { ENGINE_NAMES } from '../runtime/index.ts';
import type { EngineName } from '../runtime/index.ts';
import { linkTypeLabel, openReader, openWriter } from './capture-io.ts';
import type { PacketSink } from './capture-io.ts';
import type { CommandIo, TcpdumpOptions } from './tcpdump-command.ts';
import { FLAG, type ObjectRunOptions } from './object-options.ts';

export type { ObjectHook };

export type { ObjectRunOptions } from './object-options.ts';
/** A file the command reads (object, map JSON); a missing one is one line naming it. */
function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(what === 'map' ? 'CLI_MAP_FILE' : 'CLI_OBJECT_FILE', `${path}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
}

const XDP_ACTIONS = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'];
const TC_ACTIONS: Record<number, string> = { [-1]: 'TC_ACT_UNSPEC', 0: 'TC_ACT_OK', 1: 'TC_ACT_RECLASSIFY', 2: 'TC_ACT_SHOT', 3: 'TC_ACT_PIPE', 4: 'TC_ACT_STOLEN', 5: 'TC_ACT_QUEUED', 6: 'TC_ACT_REPEAT', 7: 'TC_ACT_REDIRECT', 8: 'TC_ACT_TRAP' };

/** The name of r0 at a hook, for --stats. */
function actionName(hook: ObjectHook, r0: number): string {
  if (hook === 'xdp') return XDP_ACTIONS[r0] ?? `unknown XDP action ${r0}`;
  if (hook === 'tc') return TC_ACTIONS[r0 | 0] ?? `unknown tc action ${r0 | 0}`;
  return r0 === 0 ? 'dropped (0 bytes kept)' : 'accepted';
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** The `--engine` value as a runtime engine: the eBPF tiers by name, the default picks itself. */
function engineFor(opts: TcpdumpOptions): EngineName | undefined {
  if (opts.engine === 'cbpf' || opts.engine === 'auto') return undefined;
  const name = opts.engine.replace(/^ebpf-/, '');
  if (!(ENGINE_NAMES as string[]).includes(name)) throw new UserError('CLI_USAGE', `--engine ${opts.engine} cannot run eBPF objects (have: ${ENGINE_NAMES.map((e) => `ebpf-${e}`).join(', ')})`);
  return name as EngineName;
}

/** Runs the command for an object (`opts.object` set): file or live input, then the report. */
export async function runObjectCommand(opts: TcpdumpOptions & { object?: ObjectRunOptions }, io: CommandIo): Promise<number> {
  const run = opts.object!;
  if (opts.expression.trim() !== '' || opts.programFile !== undefined || opts.filterFile !== undefined)
    throw new UserError('CLI_USAGE', `${FLAG[run.hook]} runs an eBPF object instead of a filter expression: give one or the other (see tsdump --help)`);
  if (opts.readFile === undefined && opts.interface === undefined)
    throw new UserError('CLI_NO_INPUT', `no input: use -r FILE (or -r - for stdin) or -i INTERFACE with ${FLAG[run.hook]}`);
  const textFd: 1 | 2 = opts.writeFile === '-' || run.txOut === '-' ? 2 : 1;
  const runner = attachObject(readInput(run.path, 'object'), run.hook, {
    engine: engineFor(opts), program: run.program, name: run.path,
    maps: run.mapFiles.map(({ name, file }) => ({ map: name, json: readInput(file, 'map').toString('utf8'), source: file })),
    trace: (line) => io.write(2, `${line}\n`),
  });
  const rings = runner.object.registry.list().filter((m): m is RingBuf => m instanceof RingBuf);
  const perfs = runner.object.registry.list().filter((m): m is PerfEventArray => m instanceof PerfEventArray);

  let info: CaptureInfo;
  let source: { each(fn: (rec: PacketRecord) => boolean): Promise<void>; close(): void; error?: Error; received?: () => number };
  if (opts.readFile !== undefined) {
    const reader = openReader(opts.readFile, opts.reader);
    info = reader.info;
    io.write(2, `reading from file ${opts.readFile}, link-type ${linkTypeLabel(info.linkType)}, snapshot length ${info.snaplen}\n`);
    checkFilterableLinkType(info);
    source = {
      async each(fn) {
        for (let rec = reader.next(); rec !== null; rec = reader.next()) if (!fn(rec)) break;
        this.error = reader.error ?? undefined;
      },
      close: () => reader.close(),
    };
  } else {
    const live = openLive(opts.interface!);
    info = live.info;
    io.write(2, `listening on ${opts.interface}, link-type ${linkTypeLabel(info.linkType)}, snapshot length ${info.snaplen} bytes\n`);
    source = {
      each(fn) {
        return new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            live.close();
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
          live.start((rec) => {
            try {
              if (!fn(rec)) stop();
            } catch (e) {
              this.error = e as Error;
              stop();
            }
          });
        });
      },
      close: () => live.close(),
      received: () => live.received,
    };
  }

  const sinkFor = (file: string | undefined): PacketSink | null => {
    if (file === undefined) return null;
    const pcapng = writerFormatFor(file, { pcapng: opts.pcapng }) === 'pcapng';
    return openWriter(file, { linkType: pcapng ? info.linkType : savefileLinkType(info.rawLinkTypeField), snaplen: info.snaplen, precision: opts.precision, pcapng }, opts.packetBuffered);
  };
  const sink = sinkFor(opts.writeFile);
  const tx = sinkFor(run.txOut);
  const printing = !opts.countOnly && (sink === null || opts.printWithWrite);
  // As the expression path prints: names unless -n (hosts/services files only), -x/-X/-A dumps.
  const printer = new PacketPrinter(info.linkType, { quiet: opts.quiet, linkHeader: opts.linkHeader, verbose: opts.verbose, absoluteSeq: opts.absoluteSeq, names: opts.numeric > 0 || !printing ? undefined : loadNameTables(opts.namesDir), dumps: opts.hex + opts.hexAscii + opts.ascii > 0 });
  const ts = new TimestampFormatter(opts.timestampLevel, opts.precision);
  const histogram = new Map<number, number>();
  const limit = opts.count ?? Infinity;
  let passed = 0, transmitted = 0, seen = 0;
  let text = '';
  const flushText = (force: boolean): void => {
    if (text !== '' && (force || opts.lineBuffered || info.format === 'live' || text.length > 65536)) {
      io.write(textFd, text);
      text = '';
    }
  };
  const out: PacketRecord = { data: new Uint8Array(0), caplen: 0, wirelen: 0, tsSec: 0, tsNsec: 0, linkType: info.linkType, interfaceId: 0, offset: 0 };
  const emit = (s: PacketSink, rec: PacketRecord, bytes: Uint8Array): void => {
    out.data = bytes;
    out.caplen = bytes.length;
    // The wire length follows the program's resizing; bytes not captured stay not captured.
    out.wirelen = Math.max(bytes.length, rec.wirelen + bytes.length - rec.caplen);
    out.tsSec = rec.tsSec;
    out.tsSecBig = rec.tsSecBig;
    out.tsNsec = rec.tsNsec;
    out.interfaceId = rec.interfaceId;
    s.write(out);
    if (opts.packetBuffered) s.flush();
  };

  let status = 0;
  try {
    await source.each((rec) => {
      seen++;
      const r0 = runner.run(rec.data);
      histogram.set(r0, (histogram.get(r0) ?? 0) + 1);
      for (const rb of rings) rb.consume((r) => { text += `ringbuf ${rb.name}: ${hex(r)}\n`; });
      for (const pa of perfs) for (const r of pa.drain()) text += `perf ${pa.name} cpu ${r.cpu}: ${hex(r.data)}\n`;
      const fate = runner.fate(r0);
      if (fate === 'tx') {
        transmitted++;
        if (tx) emit(tx, rec, runner.output(rec.data, r0));
      } else if (fate === 'pass') {
        passed++;
        const bytes = runner.output(rec.data, r0);
        if (sink) emit(sink, rec, bytes);
        if (printing) {
          let line = opts.packetNumber ? `${String(passed).padStart(5)}  ` : '';
          line += ts.format(rec.tsSec, rec.tsNsec, rec.tsSecBig);
          line += printer.print(bytes, bytes.length, Math.max(bytes.length, rec.wirelen + bytes.length - rec.caplen));
          line += packetDump(opts, bytes, bytes.length, printer.hdrlen);
          io.packet?.(line, 'approx');
          text += `${line}\n`;
        }
      }
      flushText(false);
      return passed < limit;
    });
    flushText(true);
  } finally {
    try {
      sink?.close();
      tx?.close();
    } finally {
      source.close();
    }
  }
  if (source.error) {
    if (source.error instanceof UserError && opts.readFile === undefined) throw source.error;
    io.write(2, `tsdump: ${source.error.message}\n`);
    status = 1;
  }
  if (source.received) io.write(2, `${seen} packet${seen === 1 ? '' : 's'} captured\n${source.received()} packet${source.received() === 1 ? '' : 's'} received by filter\n`);
  if (opts.stats) {
    const rows = [...histogram.entries()].sort((a, b) => a[0] - b[0]).map(([r0, n]) => `  ${actionName(run.hook, r0)}: ${n}`);
    io.write(2, `${runner.program.name} (${FLAG[run.hook].slice(2)}) on ${seen} packet${seen === 1 ? '' : 's'}:\n${rows.join('\n')}${rows.length ? '\n' : ''}`);
  }
  if (run.dumpMaps) io.write(1 === textFd ? 1 : 2, `${jsonText(dumpObjectMaps(runner.object))}\n`);
  if (opts.countOnly) io.write(textFd, `${passed} packet${passed === 1 ? '' : 's'}\n`);
  return status;
}
