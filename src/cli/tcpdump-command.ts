/**
 * The tcpdump-style command line: `tsdump [flags] [expression]`.
 *
 * Steps: expand getopt-style clusters (./argv.ts), parse with commander, check every value
 * (each bad value is a UserError with a stable code), then either print the compiled program
 * (`-d`, `-dd`, `-ddd`) or read a capture, run the filter on every packet and print / write /
 * count the matches. Output mirrors tcpdump 4.99.3: the "reading from file" banner on stderr,
 * one summary line per packet on stdout (./../print), `--count` prints "N packets", a capture
 * that ends badly prints every intact packet, then the error, and exits 1.
 *
 * Text output is collected in a string and written with one writeSync per ~64 KiB (or per line
 * with `-l`); the capture writer is flushed per packet with `-U`.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { UserError } from '../errors.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import type { CompileOptions as FilterCompileOptions } from '../filter/index.ts';
import type { CaptureInfo, CaptureReader, PacketRecord } from '../capture/types.ts';
import { expandArgv } from './argv.ts';
import { openReader, openWriter, linkTypeLabel, parseLinkTypeName, type PacketSink } from './capture-io.ts';
import { compileExpression, createRecordFilter, ebpfListing, FILTER_ENGINES, FILTER_HOOKS } from './engine.ts';
import type { FilterEngine, FilterHook, RecordFilter } from './engine.ts';
import { pretty } from '../isa/ebpf/asm.ts';
import { checkFilterableLinkType, writerFormatFor } from '../capture/index.ts';
import { savefileLinkType } from '../capture/pcap/writer.ts';
import { writeFullySync } from '../capture/sink.ts';
import { blockFiller, createRecordBlock, recordAt, type RecordBlock } from '../capture/batch.ts';
import { MutableRecord } from '../capture/record.ts';
import { deviceLine, listDevices, openLive, probeLive } from '../capture/live.ts';
import { loadProgramFile } from './program-file.ts';
import { objectRunOptions, type ObjectRunOptions } from './object-options.ts';
import type { Fidelity } from '../print/packet-printer.ts';
import type { Precision } from '../print/timestamp.ts';
import { parseRotation, RotatingWriter, type RotationOptions } from './rotate.ts';
import { mark } from './timing.ts';

/** Everything the command line says, checked and typed. */
export interface TcpdumpOptions {
  /** What runs the filter (see engine.ts), and at which hook for eBPF engines. */
  engine: FilterEngine;
  hook: FilterHook;
  /** --stats: verdict counters kept by the eBPF program in a map, printed at the end. */
  stats?: boolean;
  readFile?: string;
  /** -i: live capture on this interface; -D: list the interfaces. */
  interface?: string;
  listInterfaces?: boolean;
  /** -L: list the data link types of the -i interface. */
  listLinkTypes?: boolean;
  /** Live capture: -B ring size in bytes, -s given explicitly, -Q direction, -p. */
  bufferSize?: number;
  liveSnaplen?: number;
  direction?: 'in' | 'out' | 'inout';
  noPromiscuous?: boolean;
  writeFile?: string;
  /** -C / -G / -W: rotate the -w file (./rotate.ts); `rotationStart` is when the options were read (s). */
  rotation?: RotationOptions;
  rotationStart?: number;
  count?: number;
  countOnly: boolean;
  skip: number;
  filterFile?: string;
  linkType?: number;
  snaplen: number;
  dumpProgram: number;
  optimize: boolean;
  numeric: number;
  linkHeader: boolean;
  quiet: boolean;
  timestampLevel: number;
  hex: number;
  hexAscii: number;
  ascii: number;
  packetNumber: boolean;
  precision: Precision;
  printWithWrite: boolean;
  lineBuffered: boolean;
  packetBuffered: boolean;
  pcapng: boolean;
  reader: 'ours' | 'pcap-parser';
  programFile?: string;
  verbose: number;
  absoluteSeq: boolean;
  expression: string;
  /** --xdp / --tc / --socket-filter: run a clang-compiled eBPF object instead of a filter (./object-run.ts). */
  object?: ObjectRunOptions;
  /** Where hosts, services and protocols are read for names (default /etc); without -n only. */
  namesDir?: string;
}

const MAX_SNAPLEN = 262144;

const increase = (_v: unknown, previous: number): number => previous + 1;

function buildProgram(): Command {
  const p = new Command('tsdump');
  p.description('Read pcap/pcapng captures or capture live, filter the packets with pcap-filter expressions (compiled to classic BPF, run as is or translated to eBPF), print or write the matches.')
    .usage('[-ADdeOnqStvxX#lU] [-c count] [-r file | -i interface] [-w file] [-F file] [-y linktype] [-s snaplen] [--engine engine [--hook hook]] [expression]')
    .option('-r <file>', 'read packets from a capture file (- for stdin)')
    .option('-i, --interface <interface>', 'capture live on an interface (needs the optional cap package and capture rights)')
    .option('-D, --list-interfaces', 'list the interfaces live capture can use')
    .option('-L, --list-data-link-types', 'list the data link types of the -i interface')
    .option('-B, --buffer-size <KiB>', 'live capture: kernel ring size in KiB (default 65536)')
    .option('-p, --no-promiscuous-mode', 'live capture: do not put the interface in promiscuous mode (not possible through cap: refused)')
    .addOption(new Option('-Q, --direction <direction>', 'live capture: keep packets received (in), sent (out) or both').choices(['in', 'out', 'inout']))
    .option('--immediate-mode', 'live capture: deliver packets as they arrive (always the case through cap)')
    .option('-w <file>', 'write matching packets to a capture file (- for stdout)')
    .option('-C <file_size>', 'with -w: start a new file (FILE1, FILE2 ...) once the current one holds more than file_size million bytes')
    .option('-G <seconds>', 'with -w: start a new file every so many seconds of wall-clock time, its name the -w text through strftime')
    .option('-W <count>', 'with -C: keep a ring of count files (FILE0 ...); with -G alone: stop after count files')
    .option('-c <count>', 'stop after count matching packets')
    .option('--count', 'print only the number of matching packets')
    .option('--skip <count>', 'skip the first count matching packets')
    .option('-F <file>', 'read the filter expression from a file')
    .option('-y, --linktype <linktype>', 'link type for compiling when no capture is read (e.g. EN10MB, RAW)')
    .option('-s, --snapshot-length <snaplen>', 'snapshot length: for compiling (default 262144), and live packets are cut to it')
    .option('-d', 'print the compiled program (-d: readable, -dd: C, -ddd: decimal) and exit', increase, 0)
    .option('-O', 'do not run the optimizer')
    .option('-n', "don't convert addresses or ports to names (names come from the hosts, services and protocols files only, never from DNS)", increase, 0)
    .addOption(new Option('--names-dir <dir>', 'read hosts, services and protocols from this folder instead of /etc').hideHelp())
    .option('-e', 'print the link-level header')
    .option('-q', 'quick (quiet) output: less protocol detail')
    .option('-S', 'print absolute TCP sequence numbers')
    .option('-t', 'timestamps: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first', increase, 0)
    .option('-v', 'verbose (-vv: more): IPv4/IPv6 header fields, TCP/UDP/ICMP checksums, as tcpdump -v prints them', increase, 0)
    .option('-x', 'hex dump after the link header (-xx: from the start)', increase, 0)
    .option('-X', 'hex and ASCII dump (-XX: from the start)', increase, 0)
    .option('-A', 'ASCII dump (-AA: from the start)', increase, 0)
    .option('-#, --number', 'print a packet number at the start of each line')
    .addOption(new Option('--time-stamp-precision <precision>', 'timestamp precision').choices(['micro', 'nano']).default('micro'))
    .addOption(new Option('--nano', 'same as --time-stamp-precision nano').hideHelp())
    .option('--print', 'print packets even when writing them with -w')
    .option('-l', 'line-buffered output')
    .option('-U', 'packet-buffered output (flush the -w file after each packet)')
    .option('--pcapng', 'write pcapng instead of pcap with -w (also chosen by a .pcapng output name)')
    .addOption(new Option('--reader <reader>', 'capture reader').choices(['ours', 'pcap-parser']).default('ours'))
    .option('--program <file>', 'run a cBPF program file (-ddd, -dd or bpf_asm text) instead of an expression')
    .addOption(new Option('--engine <engine>', 'what runs the filter: auto (the program translated to eBPF at the tc hook on the fastest tier), the cBPF interpreter (the reference), or a named eBPF engine').choices([...FILTER_ENGINES]).default('auto'))
    .option('--stats', 'with an eBPF engine: the program counts its verdicts in an eBPF array map; print the counters at the end')
    .option('--xdp <object>', 'run every packet through the XDP program of a clang-built eBPF object (prog.o or prog.o:name)')
    .option('--tc <object>', 'run every packet through the tc (SCHED_CLS) program of an eBPF object (prog.o or prog.o:name)')
    .option('--socket-filter <object>', 'run every packet through the socket-filter program of an eBPF object (prog.o or prog.o:name)')
    .option('--tx-out <file>', 'with --xdp/--tc: write XDP_TX, XDP_REDIRECT and TC_ACT_REDIRECT packets to this capture file')
    .option('--dump-maps', "with an object: print every map at the end as JSON (bpftool map dump -j's shape)")
    .option('--map <name=file>', 'with an object: preload map NAME from a bpftool map dump -j file (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--hook <hook>', 'with an eBPF engine: run the translation as a socket filter or an XDP program (which sees only the frame: len is the captured length)').choices([...FILTER_HOOKS]))
    .option('-h, --help', 'show this help')
    .option('--version', 'print the version')
    .argument('[expression...]', 'pcap-filter expression (the remaining words, joined by spaces)')
    .allowExcessArguments()
    .helpOption(false)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {}, outputError: () => {} });
  return p;
}

function parseCount(text: string, what: string, code: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 0x7fffffff) throw new UserError(code, `invalid ${what} ${text}`);
  return Number(text);
}

/** Parses argv (without node and script) into checked options; help/version return a string. */
export function parseTcpdumpArgs(argv: readonly string[]): TcpdumpOptions | { text: string } {
  const program = buildProgram();
  try {
    program.parse(expandArgv(argv), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const msg = e.message.replace(/^error: /, '');
      throw new UserError('CLI_USAGE', `${msg} (see tsdump --help)`);
    }
    throw e;
  }
  const o = program.opts<Record<string, unknown>>();
  if (o.help) return { text: `${program.helpInformation()}\nSubcommands: tsdump bench [NAME...] (benchmarks), tsdump bpf-conformance-plugin (bpf_conformance runner plugin)\n` };
  if (o.version) return { text: 'tsdump version 0.1.0 (filters compiled to classic BPF; pcap/pcapng I/O in TypeScript)\n' };

  const opts: TcpdumpOptions = {
    countOnly: o.count === true,
    skip: o.skip === undefined ? 0 : parseCount(String(o.skip), 'skip count', 'CLI_BAD_SKIP'),
    snaplen: MAX_SNAPLEN,
    dumpProgram: o.d as number,
    optimize: o.O !== true,
    numeric: o.n as number,
    linkHeader: o.e === true,
    quiet: o.q === true,
    timestampLevel: o.t as number,
    hex: o.x as number,
    hexAscii: o.X as number,
    ascii: o.A as number,
    packetNumber: o.number === true,
    precision: o.nano === true ? 'nano' : (o.timeStampPrecision as Precision),
    printWithWrite: o.print === true,
    lineBuffered: o.l === true,
    packetBuffered: o.U === true,
    pcapng: o.pcapng === true,
    reader: o.reader as 'ours' | 'pcap-parser',
    verbose: o.v as number,
    absoluteSeq: o.S === true,
    expression: program.args.join(' '),
    engine: o.engine as FilterEngine,
    hook: (o.hook as FilterHook | undefined) ?? (o.engine === 'auto' ? 'tc' : 'socket'),
  };
  opts.stats = o.stats === true;
  opts.object = objectRunOptions(o);
  if (opts.stats && opts.engine === 'cbpf' && !opts.object) throw new UserError('CLI_USAGE', '--stats needs an eBPF engine (--engine ebpf-interp, ebpf-jit or ebpf-jit64) (see tsdump --help)');
  if (o.hook !== undefined && opts.engine === 'cbpf') throw new UserError('CLI_USAGE', '--hook needs an eBPF engine (--engine ebpf-interp, ebpf-jit or ebpf-jit64) (see tsdump --help)');
  if (o.namesDir !== undefined) opts.namesDir = String(o.namesDir);
  if (o.r !== undefined) opts.readFile = String(o.r);
  if (o.interface !== undefined) opts.interface = String(o.interface);
  if (o.listInterfaces === true) opts.listInterfaces = true;
  if (o.listDataLinkTypes === true) opts.listLinkTypes = true;
  if (o.bufferSize !== undefined) {
    const kib = parseCount(String(o.bufferSize), 'buffer size', 'CLI_BAD_BUFFER_SIZE');
    if (kib === 0) throw new UserError('CLI_BAD_BUFFER_SIZE', `invalid buffer size ${String(o.bufferSize)}`);
    opts.bufferSize = kib * 1024;
  }
  if (o.direction !== undefined) opts.direction = o.direction as 'in' | 'out' | 'inout';
  if (o.promiscuousMode === false) opts.noPromiscuous = true;
  if (opts.readFile !== undefined && opts.interface !== undefined) throw new UserError('CLI_USAGE', '-r and -i cannot be used together (see tsdump --help)');
  if (o.w !== undefined) opts.writeFile = String(o.w);
  const rotation = parseRotation(o.C as string | undefined, o.G as string | undefined, o.W as string | undefined);
  if (rotation !== undefined) {
    opts.rotation = rotation;
    opts.rotationStart = Math.floor(Date.now() / 1000);
  }
  if (o.F !== undefined) opts.filterFile = String(o.F);
  if (o.program !== undefined) opts.programFile = String(o.program);
  if (o.c !== undefined) {
    opts.count = parseCount(String(o.c), 'packet count', 'CLI_BAD_COUNT');
    if (opts.count === 0) throw new UserError('CLI_BAD_COUNT', `invalid packet count ${String(o.c)}`);
  }
  if (o.snapshotLength !== undefined) {
    const s = parseCount(String(o.snapshotLength), 'snaplen', 'CLI_BAD_SNAPLEN');
    opts.snaplen = s === 0 || s > MAX_SNAPLEN ? MAX_SNAPLEN : s;
    opts.liveSnaplen = opts.snaplen;
  }
  if (o.linktype !== undefined) opts.linkType = parseLinkTypeName(String(o.linktype));
  return opts;
}

/**
 * Where the command's text goes. The default writes to the process's stdout/stderr; tests pass
 * their own to capture output in-process, and `packet` (optional) sees each printed packet's text
 * with the printer's fidelity, so golden tests know which lines must equal tcpdump's.
 */
export interface CommandIo {
  write(fd: 1 | 2, text: string): void;
  packet?(text: string, fidelity: Fidelity): void;
}

const processIo: CommandIo = { write: writeText };

/** Thrown when the reader of our output went away (`tsdump ... | head`): stop quietly. */
class OutputClosed extends Error {}

/** Our text output or the `-w -` capture writer hit a closed pipe. */
function isBrokenPipe(e: unknown): boolean {
  return e instanceof OutputClosed || (e instanceof UserError && /EPIPE/.test(e.message));
}

/** Writes all of `text` to `fd` (a full non-blocking pipe is waited for); a closed pipe ends the output. */
function writeText(fd: number, text: string): void {
  try {
    writeFullySync(fd, Buffer.from(text, 'latin1'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') throw new OutputClosed('output closed');
    throw e;
  }
}

/** The expression text: `-F file` (with `#` comments blanked, as tcpdump does) or argv words. */
function expressionText(opts: TcpdumpOptions): string {
  if (opts.filterFile === undefined) return opts.expression;
  let text: string;
  try {
    text = readFileSync(opts.filterFile, 'latin1');
  } catch (e) {
    throw new UserError('CLI_FILTER_FILE', `${opts.filterFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
  }
  return text.replace(/#[^\n]*/g, (m) => ' '.repeat(m.length)).replace(/\n/g, ' ').trim();
}

/** tcpdump's first stderr line for `-r`. */
function banner(path: string, info: CaptureInfo): string {
  // tcpdump warns that a cooked v2 capture's interface indexes are named as on this machine.
  const sll2 = info.linkType === 276 ? 'Warning: interface names might be incorrect\n' : '';
  return `reading from file ${path}, link-type ${linkTypeLabel(info.linkType)}, snapshot length ${info.snaplen}\n${sll2}`;
}

/**
 * The program for the expression, compiled in the context tcpdump compiles it in: on the
 * savefile's handle with -r (libpcap then refuses kernel-only primitives and knows the file's
 * byte order), on a live handle with -i, on a dead handle for -d -y; netmask 0 in every case,
 * as tcpdump passes when it has not looked one up.
 */
async function programFor(opts: TcpdumpOptions, linkType: number, snaplen: number, file?: CaptureInfo): Promise<CbpfProgram> {
  if (opts.programFile !== undefined) return loadProgramFile(opts.programFile);
  const text = expressionText(opts);
  const context = opts.readFile !== undefined ? 'savefile' : opts.interface !== undefined ? 'live' : 'dead';
  const swapped = file !== undefined && file.bigEndian !== (endianness() === 'BE');
  // The filter compiler's own options (a superset of compileExpression's), passed through as is.
  const compileOpts: FilterCompileOptions = { linkType, snaplen, optimize: opts.optimize, netmask: 0, context, swapped };
  return compileExpression(text, compileOpts);
}

export async function runTcpdump(argv: string[], io: CommandIo = processIo): Promise<number> {
  const parsed = parseTcpdumpArgs(argv);
  mark('arguments parsed');
  if ('text' in parsed) {
    io.write(1, parsed.text);
    return 0;
  }
  const opts = parsed;

  if (opts.dumpProgram > 0) {
    let linkType = opts.linkType ?? 1;
    let snaplen = opts.snaplen;
    let fileInfo: CaptureInfo | undefined;
    if (opts.readFile === undefined && opts.linkType === undefined) io.write(2, 'Warning: assuming Ethernet\n');
    if (opts.readFile !== undefined) {
      const r = openReader(opts.readFile, opts.reader);
      io.write(2, banner(opts.readFile, r.info));
      linkType = r.info.linkType;
      snaplen = r.info.snaplen;
      fileInfo = r.info;
      r.close();
    }
    const prog = await programFor(opts, linkType, snaplen, fileInfo);
    if (opts.engine !== 'cbpf' && opts.engine !== 'auto') {
      // The translation the eBPF engines run, in the kernel's notation (-d only).
      if (opts.dumpProgram > 1) throw new UserError('CLI_USAGE', '-dd and -ddd print classic BPF only; use -d with an eBPF engine');
      io.write(1, pretty(ebpfListing(prog, opts.hook)));
      return 0;
    }
    const { formatD, formatDD, formatDDD } = await import('../isa/cbpf/format.ts');
    io.write(1, opts.dumpProgram === 1 ? formatD(prog) : opts.dumpProgram === 2 ? formatDD(prog) : formatDDD(prog));
    return 0;
  }

  if (opts.listInterfaces) {
    io.write(1, listDevices().map((d, i) => `${deviceLine(i + 1, d)}\n`).join(''));
    return 0;
  }
  if (opts.listLinkTypes) {
    if (opts.interface === undefined) throw new UserError('CLI_USAGE', '-L needs an interface (-i IFACE)');
    const info = probeLive(opts.interface);
    io.write(1, `Data link types for ${opts.interface} (use option -y to set):\n  ${linkTypeLabel(info.linkType)}\n`);
    return 0;
  }
  if (opts.object) {
    // The ELF loader, maps and object printer load only for an object run.
    const { runObjectCommand } = await import('./object-run.ts');
    return runObjectCommand(opts, io);
  }
  if (opts.interface !== undefined) return runLive(opts, opts.interface, io);
  if (opts.readFile === undefined) {
    throw new UserError('CLI_NO_INPUT', 'no input: use -r FILE (or -r - for stdin) to read a capture, or -i INTERFACE to capture live');
  }
  const reader = openReader(opts.readFile, opts.reader);
  const info = reader.info;
  mark('capture opened');
  // tcpdump handles SIGINT/SIGTERM from before its banner: one during the compile stops the read too.
  const interrupt = new Interrupt(io === processIo);
  let matches: RecordFilter;
  let output: Output;
  try {
    io.write(2, banner(opts.readFile, info));
    // pcap_compile refuses link types libpcap does not know, whatever the expression.
    checkFilterableLinkType(info);
    const prog = await programFor(opts, info.linkType, info.snaplen, info);
    mark('filter compiled (cBPF)');
    matches = createRecordFilter(prog, opts.engine, opts.hook, opts.stats);
    mark('filter engine built');
    output = await createOutput(opts, info, io);
    mark('output opened');
  } catch (e) {
    interrupt.close();
    throw e;
  }
  // Stopped by -c or a signal: what the reader found after that point is not reported (as one at a time).
  let stopped = false;
  try {
    // Blocks of packets per filter call (see filterFileInBlocks), unless the verdict counters
    // must stop exactly at the -c-th match, or TSDUMP_BATCH=0 asks for one packet at a time.
    const perPacket = matches.runBatch === undefined || (opts.stats === true && opts.count !== undefined) || process.env.TSDUMP_BATCH === '0';
    if (perPacket) {
      let k = 0;
      for (let rec = reader.next(); rec !== null; rec = reader.next()) {
        if ((matches(rec) && !output.handle(rec)) || ((++k & 255) === 0 && (await interrupt.check()))) {
          stopped = true;
          break;
        }
      }
    } else stopped = await filterFileInBlocks(reader, matches, output, interrupt);
    mark('read loop');
    output.flush();
  } catch (e) {
    // Like tcpdump killed by SIGPIPE: no message; what was read is simply not printed.
    if (isBrokenPipe(e)) return 0;
    throw e;
  } finally {
    interrupt.close();
    try {
      output.close();
    } finally {
      reader.close();
    }
  }
  let status = 0;
  if (reader.error && !stopped) {
    io.write(2, `tsdump: ${reader.error.message}\n`);
    status = 1;
  }
  // tcpdump then asks for the capture statistics, which a file does not have.
  if (output.fileLimit !== undefined) io.write(2, `Maximum file limit reached: ${output.fileLimit}\npcap_stats: Statistics aren't available from savefiles\n`);
  writeStats(matches, io);
  if (opts.countOnly) io.write(1, `${output.matched} packet${output.matched === 1 ? '' : 's'}\n`);
  mark('output closed');
  return status;
}

/**
 * The file loop on blocks: the reader fills a block of consecutive records (windows of its own
 * buffer, or copies for readers that cannot: src/capture/batch.ts), the filter runs the whole
 * block in one call, and each accepted record is refilled into one reused PacketRecord for the
 * output, in order. Nothing is allocated per packet. True when the output stopped it (-c).
 */
async function filterFileInBlocks(reader: CaptureReader, matches: RecordFilter, output: Output, interrupt: Interrupt): Promise<boolean> {
  const runBatch = matches.runBatch!;
  const accepts = matches.accepts!;
  const block = createRecordBlock(BLOCK_RECORDS);
  const verdicts = new Int32Array(BLOCK_RECORDS);
  const rec = new MutableRecord();
  const fill = blockFiller(reader);
  const whole = output.handleBlock;
  for (let n = fill(block); n > 0; n = fill(block)) {
    if (await interrupt.check()) return true;
    const accepted = runBatch(block, verdicts);
    if (accepted === 0) continue;
    if (whole !== undefined) {
      const r = whole(block, verdicts, accepts, accepted);
      if (r === BlockDone.Stopped) return true;
      if (r === BlockDone.Handled) continue;
    }
    for (let i = 0; i < n; i++) {
      if (accepts(verdicts[i]!) && !output.handle(recordAt(block, i, rec))) return true;
    }
  }
  return false;
}

/**
 * SIGINT or SIGTERM during a file read: as tcpdump (its handler calls pcap_breakloop), the read
 * stops before the next packet, what was read is written out (-w, --count) and the exit status
 * is 0. The file loop is synchronous, so `check` lets the event loop run (and with it a signal's
 * handler) once every INTERRUPT_CHECK_MS; in between it only reads the clock. For the command
 * itself (`untilExit`) the handlers stay until the process exits, as tcpdump's do: a signal
 * while the last output is written or the process ends changes nothing (exit 0, not killed).
 */
class Interrupt {
  private hit = false;
  private next = monotonicMs() + INTERRUPT_CHECK_MS;
  private readonly onSignal = (): void => {
    this.hit = true;
  };
  constructor(private readonly untilExit: boolean) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }
  async check(): Promise<boolean> {
    if (!this.hit && monotonicMs() >= this.next) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.next = monotonicMs() + INTERRUPT_CHECK_MS;
    }
    return this.hit;
  }
  close(): void {
    if (this.untilExit) return;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
const INTERRUPT_CHECK_MS = 20;

/**
 * A monotonic clock in milliseconds. Not `performance.now()`: its first use loads perf_hooks and
 * ten internal modules, about 3 ms of CPU in every file run.
 */
function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1000 + ns / 1e6;
}

/** Records per filter call in the file loop. */
const BLOCK_RECORDS = 1024;
/** Bytes of a pcap record header (the rawRecords layout). */
const PCAP_RECORD_HEADER = 16;

/** --stats: the verdict counters the eBPF program kept in its map, on stderr. */
function writeStats(f: RecordFilter | undefined, io: CommandIo): void {
  const c = f?.counters?.();
  if (c) io.write(2, `eBPF verdict counters (array map kept by the program): ${c.accepted} accepted, ${c.rejected} rejected\n`);
}

/** What `Output.handleBlock` did with a block. */
const enum BlockDone {
  /** Every accepted record was taken. */
  Handled,
  /** The `-c` count was reached. */
  Stopped,
  /** Nothing: this block needs `handle` per record. */
  PerRecord,
}

interface Output {
  /** Packets that matched and were not skipped. */
  readonly matched: number;
  /** -W's count when -G with -W ended the capture (tcpdump's "Maximum file limit reached"). */
  readonly fileLimit?: number;
  /** Takes a matching packet (skip, write, print); false once the `-c` count is reached. */
  handle(rec: PacketRecord): boolean;
  /**
   * When the output needs no PacketRecord (nothing printed: `--count`, or `-w` to pcap from a
   * pcap input in the same layout), takes the accepted records of a whole filtered block at once.
   */
  handleBlock?: (block: RecordBlock, verdicts: Int32Array, accepts: (r0: number) => boolean, accepted: number) => BlockDone;
  /** Writes out buffered text. */
  flush(): void;
  /** Closes the `-w` file (a closed pipe there is not an error). */
  close(): void;
}

/** What happens to each matching packet, for files and live capture alike. */
async function createOutput(opts: TcpdumpOptions, info: CaptureInfo, io: CommandIo): Promise<Output> {
  let sink: PacketSink | null = null;
  let rotating: RotatingWriter | undefined;
  if (opts.writeFile !== undefined && opts.rotation !== undefined) {
    const pcapng = writerFormatFor(opts.writeFile, { pcapng: opts.pcapng }) === 'pcapng';
    sink = rotating = new RotatingWriter(opts.writeFile, opts.rotation, { linkType: pcapng ? info.linkType : savefileLinkType(info.rawLinkTypeField), snaplen: info.snaplen, precision: opts.precision, pcapng }, opts.packetBuffered, opts.rotationStart ?? Math.floor(Date.now() / 1000));
  } else if (opts.writeFile !== undefined) {
    // pcapng with --pcapng or an output name ending in .pcapng; otherwise pcap as tcpdump writes it.
    const pcapng = writerFormatFor(opts.writeFile, { pcapng: opts.pcapng }) === 'pcapng';
    sink = openWriter(opts.writeFile, { linkType: pcapng ? info.linkType : savefileLinkType(info.rawLinkTypeField), snaplen: info.snaplen, precision: opts.precision, pcapng }, opts.packetBuffered);
  }
  const printing = !opts.countOnly && (sink === null || opts.printWithWrite);
  // With `-w -` the capture owns stdout, so printed lines go to stderr.
  const textFd: 1 | 2 = opts.writeFile === '-' ? 2 : 1;
  // The printers (and the names files they read without -n) only when packets are printed.
  const print = printing ? await import('./printing.ts') : undefined;
  const printer = print
    ? new print.PacketPrinter(info.linkType, { quiet: opts.quiet, linkHeader: opts.linkHeader, verbose: opts.verbose, absoluteSeq: opts.absoluteSeq, names: opts.numeric > 0 ? undefined : print.loadNameTables(opts.namesDir), dumps: opts.hex + opts.hexAscii + opts.ascii > 0 })
    : undefined;
  const ts = print ? new print.TimestampFormatter(opts.timestampLevel, opts.precision) : undefined;
  const limit = opts.count ?? Infinity;
  // Live packets arrive one at a time: their lines go out at once.
  // (Live capture flushes after each batch the socket delivers: see runLive.)
  const lineBuffered = opts.lineBuffered;
  let out = '';
  let matched = 0;
  let skip = opts.skip;
  // Whole blocks: counting only, or copying runs of raw pcap records (not with -U, which flushes
  // after every packet).
  const copyRecords = sink !== null && !opts.packetBuffered && sink.writeRecords !== undefined && sink.copiesRecordsOf?.(info.precision) === true;
  let handleBlock: Output['handleBlock'];
  if (!printing && sink === null) {
    handleBlock = (block, verdicts, accepts, accepted) => {
      // The filter counted the block's matches: no pass over the verdicts unless -c or skipped
      // packets fall inside it.
      if (skip === 0 && matched + accepted < limit) {
        matched += accepted;
        return BlockDone.Handled;
      }
      const n = block.count;
      for (let i = 0; i < n; i++) {
        if (!accepts(verdicts[i]!)) continue;
        if (skip > 0) skip--;
        else if (++matched >= limit) return BlockDone.Stopped;
      }
      return BlockDone.Handled;
    };
  } else if (!printing && copyRecords) {
    const writeRecords = sink!.writeRecords!;
    handleBlock = (block, verdicts, accepts) => {
      if (!block.rawRecords) return BlockDone.PerRecord;
      const { buf, offsets, caplens } = block;
      const n = block.count;
      // Runs of accepted records (headers included) are written as they lie in the buffer. In
      // the reader's own buffer (`scratch`), each run is first moved down to the end of the
      // previous one (copyWithin: no allocation), so the block's accepted records go out in one
      // write; otherwise each run is written where it is.
      const compact = block.scratch;
      const first = offsets[0]! - PCAP_RECORD_HEADER;
      // Compacted bytes: buf[first, w), `kept` records. The current run: buf[from, to), `run` records.
      let w = first, kept = 0;
      let from = 0, to = -1, run = 0;
      let done: BlockDone = BlockDone.Handled;
      // The current run ends: written where it lies, or moved down behind the compacted bytes.
      const endRun = () => {
        if (run === 0) return;
        if (!compact) writeRecords(buf, from, to, run);
        else {
          if (from !== w) buf.copyWithin(w, from, to);
          w += to - from;
          kept += run;
        }
      };
      for (let i = 0; i < n; i++) {
        if (!accepts(verdicts[i]!)) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        const start = offsets[i]! - PCAP_RECORD_HEADER, end = offsets[i]! + caplens[i]!;
        if (start === to) {
          to = end;
          run++;
        } else {
          endRun();
          from = start;
          to = end;
          run = 1;
        }
        if (++matched >= limit) {
          done = BlockDone.Stopped;
          break;
        }
      }
      endRun();
      if (kept > 0) writeRecords(buf, first, w, kept);
      return done;
    };
  }
  return {
    get matched() { return matched; },
    get fileLimit() { return rotating?.limitReached === true ? opts.rotation!.fileCount : undefined; },
    handleBlock,
    handle(rec) {
      if (skip > 0) {
        skip--;
        return true;
      }
      // -C/-G: the next file is opened before the packet is written; -G -W may end the capture.
      if (rotating !== undefined && !rotating.admit()) return false;
      matched++;
      if (sink) {
        sink.write(rec);
        if (opts.packetBuffered) sink.flush();
      }
      if (printing) {
        let line = opts.packetNumber ? `${String(matched).padStart(5)}  ` : '';
        let fidelity: Fidelity;
        const invalid = print!.invalidHeaderText(rec.caplen, rec.wirelen);
        if (invalid !== null) {
          // A corrupt record header: tcpdump prints only this, without timestamp or dump.
          line += invalid;
          fidelity = 'exact';
        } else {
          line += ts!.format(rec.tsSec, rec.tsNsec, rec.tsSecBig);
          line += printer!.print(rec.data, rec.caplen, rec.wirelen);
          line += print!.packetDump(opts, rec.data, rec.caplen, printer!.hdrlen);
          fidelity = ts!.exact ? printer!.fidelity : 'approx';
        }
        io.packet?.(line, fidelity);
        out += line + '\n';
        if (lineBuffered || out.length > 65536) {
          io.write(textFd, out);
          out = '';
        }
      }
      return matched < limit;
    },
    flush() {
      if (out !== '') io.write(textFd, out);
      out = '';
    },
    close() {
      try {
        sink?.close();
      } catch (e) {
        if (!isBrokenPipe(e)) throw e;
      }
    },
  };
}

/**
 * Live capture (-i): packets from the interface go through the same filter engines and the same
 * output as a file's, as they arrive; text is written after each batch the socket delivers
 * (per line with -l). Stops after `-c` matches, or on SIGINT/SIGTERM once the ring is drained,
 * then reports on stderr as tcpdump does: packets captured (matched), received by filter (that
 * crossed the interface), and dropped by kernel (see src/capture/live.ts for how it is counted).
 */
async function runLive(opts: TcpdumpOptions, device: string, io: CommandIo): Promise<number> {
  if (opts.noPromiscuous) throw new UserError('CLI_USAGE', '-p: the cap package always opens the interface in promiscuous mode; tsdump cannot capture without it');
  const live = openLive(device, { bufferSize: opts.bufferSize, snaplen: opts.liveSnaplen, direction: opts.direction });
  const info = live.info;
  let output: Output | undefined;
  let statsOf: RecordFilter | undefined;
  try {
    const prog = await programFor(opts, info.linkType, info.snaplen);
    const matches = createRecordFilter(prog, opts.engine, opts.hook, opts.stats);
    statsOf = matches;
    output = await createOutput(opts, info, io);
    if (!opts.verbose) io.write(2, 'tsdump: verbose output suppressed, use -v[v]... for full protocol decode\n');
    io.write(2, `listening on ${device}, link-type ${linkTypeLabel(info.linkType)}, snapshot length ${info.snaplen} bytes\n`);
    const out = output;
    let failure: unknown;
    let pipeClosed = false;
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (drain: boolean): void => {
        if (stopping) return;
        stopping = true;
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (drain) live.drainAndClose(resolve);
        else {
          live.close();
          resolve();
        }
      };
      // Ctrl-C: the packets already in the ring are still handled (and counted) before closing.
      const onSignal = (): void => stop(true);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const fail = (e: unknown): void => {
        // A closed pipe ends the capture quietly, like tcpdump killed by SIGPIPE.
        if (isBrokenPipe(e)) pipeClosed = true;
        else failure = e;
        stop(false);
      };
      live.start((rec) => {
        if (pipeClosed || failure !== undefined) return;
        try {
          if (matches(rec) && !out.handle(rec)) stop(false);
        } catch (e) {
          fail(e);
        }
      }, () => {
        if (pipeClosed || failure !== undefined) return;
        try {
          out.flush();
        } catch (e) {
          fail(e);
        }
      });
    });
    if (failure !== undefined) throw failure;
    if (pipeClosed) return 0;
    try {
      output.flush();
    } catch (e) {
      if (isBrokenPipe(e)) return 0;
      throw e;
    }
  } finally {
    live.close();
    output?.close();
  }
  const matched = output.matched;
  if (output.fileLimit !== undefined) io.write(2, `Maximum file limit reached: ${output.fileLimit}\n`);
  const st = live.stats();
  const plural = (n: number, what: string): string => `${n} packet${n === 1 ? '' : 's'} ${what}\n`;
  io.write(2, plural(matched, 'captured') + plural(st.seen ?? st.delivered, 'received by filter') + (st.droppedByKernel === undefined ? '' : plural(st.droppedByKernel, 'dropped by kernel')));
  writeStats(statsOf, io);
  try {
    if (opts.countOnly) io.write(1, `${matched} packet${matched === 1 ? '' : 's'}\n`);
  } catch (e) {
    if (!isBrokenPipe(e)) throw e;
  }
  return 0;
}
