/**
 * Live capture through the optional `cap` package (a native binding to libpcap, built against
 * libpcap-dev at install time). `cap` only delivers the bytes: tsdump gives it no filter and
 * filters every packet itself, like a file's.
 *
 * Losing no packet silently. `cap` opens the device in immediate mode, where libpcap uses a
 * TPACKET_V2 ring of fixed-size frames (each as large as the 65,535-byte snapshot allows), so an
 * 8 MiB ring holds only a few thousand packets and a burst overflows it while JavaScript handles
 * the previous ones. The ring is therefore 64 MiB unless `-B` says otherwise; printed text is
 * written once per drained batch (not per packet); and on stop the ring is drained before the
 * handle closes. `cap` exposes no pcap_stats, so the kernel's drop count is derived from the
 * interface's own packet counters (/sys/class/net/IF/statistics): every packet that crossed the
 * interface while we listened reached the packet socket (tsdump sets no kernel filter), so
 * those the socket did not deliver were dropped in the kernel. The counters are read after the
 * socket is bound and after the ring is drained, so the figure is exact for traffic inside that
 * window; on `lo` only received packets count (libpcap discards the outgoing copy).
 *
 * What `cap` does and does not expose shapes the records: it opens the device with a 65,535-byte
 * snapshot, promiscuous, immediate mode, and copies each packet into one buffer we own, then
 * emits (length, truncated). It reports no timestamp and no wire length, so a record's timestamp
 * is the host clock when the event is handled (microsecond resolution), and its wire length is
 * its captured length. Link types: the five `cap` names (Ethernet, NULL, 802.11 radiotap, Linux
 * cooked, raw IP). On libpcap's `any` device that is Linux cooked v1: `cap` has no way to ask for
 * another data link type, so tsdump cannot select cooked v2 (with interface indexes) as tcpdump
 * 4.99 does there; its output is that of `tcpdump -i any -y LINUX_SLL`, with the direction in the
 * packet type (-e, and -Q). A record is one reused object whose `data` is valid only during the
 * callback.
 *
 * The package is imported on first use, so tsdump installs and reads files without it; its
 * absence, and libpcap's refusals (permissions, unknown device), are UserErrors.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { UserError } from '../errors.ts';
import type { CaptureInfo, PacketRecord } from './types.ts';

/** The part of `cap`'s API tsdump uses. */
interface CapHandle {
  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): void;
}
interface CapModule {
  Cap: { new (): CapHandle; deviceList(): Array<{ name: string; description?: string; addresses?: Array<{ addr?: string }>; flags?: string }> };
}

/** Snapshot length `cap` opens devices with. */
const LIVE_SNAPLEN = 65535;

/** `cap`'s link-type names → LINKTYPE_* values. */
const CAP_LINK_TYPES: Record<string, number> = {
  ETHERNET: 1,
  NULL: 0,
  IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
  RAW: 101,
};

let capModule: CapModule | undefined;

/** Loads `cap`, or explains how to get it. */
function loadCap(): CapModule {
  if (capModule) return capModule;
  try {
    capModule = createRequire(import.meta.url)('cap') as CapModule;
    return capModule;
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw new UserError('LIVE_NO_CAP', `live capture needs the optional 'cap' package, which is not available (${why}); install libpcap-dev and a C++ toolchain, then run npm install`);
  }
}

export interface LiveDevice {
  name: string;
  description?: string;
  addresses: string[];
  /** tcpdump -D's status words: "Up", "Running", "Wireless", "Loopback", "Connected", … */
  status: string[];
}

function sysRead(dev: string, file: string): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${dev}/${file}`, 'latin1').trim();
  } catch {
    return undefined;
  }
}

/**
 * The status words tcpdump -D prints, from the interface flags in sysfs (IFF_UP, IFF_RUNNING,
 * IFF_LOOPBACK), a wireless folder, and the carrier for the connection state (unknown when the
 * interface is down). libpcap's pseudo-devices: `any` is up and running, the Bluetooth monitor
 * wireless, the others have no status.
 */
function deviceStatus(name: string, loopbackFlag: boolean): string[] {
  const flagsText = sysRead(name, 'flags');
  if (flagsText === undefined) {
    if (name === 'any') return ['Up', 'Running'];
    if (name.startsWith('bluetooth')) return ['Wireless'];
    return [];
  }
  const flags = Number(flagsText);
  const words: string[] = [];
  // sysfs holds the administrative flags; RUNNING is the operational state, as SIOCGIFFLAGS adds it.
  const oper = sysRead(name, 'operstate');
  if (flags & 0x1) words.push('Up');
  if (flags & 0x1 && (oper === 'up' || oper === 'unknown')) words.push('Running');
  const wireless = existsSync(`/sys/class/net/${name}/wireless`);
  if (wireless) words.push('Wireless');
  const loopback = loopbackFlag || (flags & 0x8) !== 0;
  if (loopback) words.push('Loopback');
  else {
    const carrier = sysRead(name, 'carrier');
    if (carrier === '1') words.push(wireless ? 'Associated' : 'Connected');
    else if (carrier === '0') words.push(wireless ? 'Not associated' : 'Disconnected');
  }
  return words;
}

/** The capture devices libpcap sees (tcpdump -D). */
export function listDevices(): LiveDevice[] {
  return loadCap().Cap.deviceList().map((d) => ({
    name: d.name,
    description: d.description,
    addresses: (d.addresses ?? []).map((a) => a.addr).filter((a): a is string => typeof a === 'string'),
    status: deviceStatus(d.name, d.flags === 'PCAP_IF_LOOPBACK'),
  }));
}

/** tcpdump -D's line for a device: `1.eth0 [Up, Running, Connected]`. */
export function deviceLine(index: number, d: LiveDevice): string {
  return `${index}.${d.name}${d.description ? ` (${d.description})` : ''} [${d.status.length ? d.status.join(', ') : 'none'}]`;
}

/** Which directions of traffic a capture keeps (-Q). */
export type Direction = 'in' | 'out' | 'inout';

/**
 * Packets that crossed the device(s) so far by the interface counters, in the directions kept,
 * or undefined when the device has no counters. On loopback devices only received packets
 * count (the outgoing copy never reaches libpcap's reader).
 */
function interfacePackets(device: string, direction: Direction): number | undefined {
  const devices = device === 'any' ? (() => { try { return readdirSync('/sys/class/net'); } catch { return []; } })() : [device];
  let total = 0;
  let any = false;
  for (const d of devices) {
    const rx = sysRead(d, 'statistics/rx_packets');
    const tx = sysRead(d, 'statistics/tx_packets');
    if (rx === undefined || tx === undefined) continue;
    any = true;
    const loopback = (Number(sysRead(d, 'flags') ?? 0) & 0x8) !== 0;
    if (direction !== 'out') total += Number(rx);
    if (direction !== 'in' && !loopback) total += Number(tx);
  }
  return any ? total : undefined;
}

export interface LiveStats {
  /** Packets the socket delivered to tsdump. */
  delivered: number;
  /** Packets that crossed the interface while we listened (tcpdump's "received by filter"), if known. */
  seen?: number;
  /** seen − delivered: packets the kernel dropped (its ring was full), if known. */
  droppedByKernel?: number;
}

export interface LiveCapture {
  readonly device: string;
  readonly info: CaptureInfo;
  /** Packets delivered so far. */
  readonly received: number;
  /**
   * Calls `onPacket` for every packet until `close()`, and `onBatch` after each batch the
   * socket delivered in one go (the moment to write out buffered text).
   */
  start(onPacket: (rec: PacketRecord) => void, onBatch?: () => void): void;
  /** Waits until the ring is drained (no packet for a moment, at most about a second), then closes. */
  drainAndClose(done: () => void): void;
  /** Counts for the end-of-capture report (read before close, or the last values read at close). */
  stats(): LiveStats;
  close(): void;
}

/** Default ring size: room for bursts of tens of thousands of small packets (see above). */
const DEFAULT_LIVE_BUFFER = 64 << 20;

export interface LiveOptions {
  /** Kernel buffer size in bytes (default DEFAULT_LIVE_BUFFER; tcpdump's -B is in KiB). */
  bufferSize?: number;
  /** Snapshot length: longer packets are cut to it (cap itself captures 65,535 bytes). */
  snaplen?: number;
  /** -Q: keep only received (in) or sent (out) packets. */
  direction?: Direction;
}

/**
 * `cap` objects whose open failed. Their native destructor stops a poll handle that was never
 * started and can crash the process when they are collected, so they are kept alive.
 */
const failedHandles: CapHandle[] = [];

export function openLive(device: string, opts: LiveOptions = {}): LiveCapture {
  const { Cap } = loadCap();
  // An unknown device is refused before `cap` tries (and fails) to open it.
  if (!Cap.deviceList().some((d) => d.name === device)) {
    throw new UserError('LIVE_OPEN', `${device}: No such device exists (tsdump -D lists the interfaces)`);
  }
  const cap = new Cap();
  // One byte more than the snapshot, so `truncated` never fires for a full-snapshot packet.
  const buffer = Buffer.alloc(LIVE_SNAPLEN + 1);
  let name: string;
  try {
    name = cap.open(device, '', opts.bufferSize ?? DEFAULT_LIVE_BUFFER, buffer);
  } catch (e) {
    failedHandles.push(cap);
    const msg = (e as Error).message;
    const denied = /permitted|permission/i.test(msg);
    throw new UserError('LIVE_OPEN', `${device}: ${denied ? `You don't have permission to capture on that device (${msg})` : msg}`);
  }
  const linkType = CAP_LINK_TYPES[name];
  if (linkType === undefined) {
    cap.close();
    throw new UserError('LIVE_LINK_TYPE', `${device}: ${name} (cap reports only Ethernet, NULL, 802.11 radiotap, Linux cooked and raw IP)`);
  }
  const snaplen = Math.min(opts.snaplen ?? LIVE_SNAPLEN, LIVE_SNAPLEN);
  const direction = opts.direction ?? 'inout';
  const info: CaptureInfo = { format: 'live', linkType, snaplen, precision: 'micro', rawLinkTypeField: linkType, bigEndian: false };
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  const rec: PacketRecord = { data: bytes.subarray(0, 0), caplen: 0, wirelen: 0, tsSec: 0, tsNsec: 0, linkType, interfaceId: 0, offset: -1, buf: bytes, dataOffset: 0 };
  // -Q on Ethernet: a frame is outgoing when its source is this interface's own address.
  const ownMac = direction !== 'inout' && linkType === 1 ? macBytes(sysRead(device, 'address')) : undefined;
  if (direction !== 'inout' && linkType !== 113 && ownMac === undefined) {
    cap.close();
    throw new UserError('LIVE_DIRECTION', `${device}: -Q ${direction} is not supported on this device (no link-layer address to tell directions apart)`);
  }
  const outgoing = (): boolean => {
    if (linkType === 113) return bytes[0] === 0 && bytes[1] === 4; // SLL packet type 4: sent by us
    for (let i = 0; i < 6; i++) if (bytes[6 + i] !== ownMac![i]) return false;
    return true;
  };
  const baseline = interfacePackets(device, direction);
  let last: number | undefined;
  let received = 0;
  let lastPacketAt = 0;
  let open = true;
  let batchScheduled = false;
  const stats = (): LiveStats => {
    if (open) last = interfacePackets(device, direction);
    const seen = baseline === undefined || last === undefined ? undefined : Math.max(last - baseline, received);
    return { delivered: received, seen, droppedByKernel: seen === undefined ? undefined : seen - received };
  };
  const close = (): void => {
    if (!open) return;
    last = interfacePackets(device, direction);
    open = false;
    cap.close();
  };
  return {
    device,
    info,
    get received() { return received; },
    start(onPacket, onBatch) {
      cap.on('packet', (nbytes) => {
        if (!open) return;
        if (direction !== 'inout' && outgoing() !== (direction === 'out')) return;
        received++;
        const ms = performance.timeOrigin + performance.now();
        lastPacketAt = ms;
        const sec = Math.floor(ms / 1000);
        rec.tsSec = sec;
        rec.tsNsec = Math.floor((ms - sec * 1000) * 1000) * 1000; // microseconds, as tcpdump's default
        rec.wirelen = nbytes;
        rec.caplen = Math.min(nbytes, snaplen);
        rec.data = bytes.subarray(0, rec.caplen);
        onPacket(rec);
        // cap delivers a whole readable batch synchronously; the batch ends before setImmediate runs.
        if (onBatch && !batchScheduled) {
          batchScheduled = true;
          setImmediate(() => {
            batchScheduled = false;
            onBatch();
          });
        }
      });
    },
    drainAndClose(done) {
      const started = Date.now();
      const check = (): void => {
        const now = performance.timeOrigin + performance.now();
        if (!open || now - lastPacketAt > 100 || Date.now() - started > 1000) {
          close();
          done();
        } else setTimeout(check, 20);
      };
      setTimeout(check, 20);
    },
    stats,
    close,
  };
}

function macBytes(text: string | undefined): number[] | undefined {
  if (text === undefined || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text)) return undefined;
  return text.split(':').map((h) => parseInt(h, 16));
}

/** Opens `device` only to learn its link type (tcpdump -L), then closes it. */
export function probeLive(device: string): CaptureInfo {
  const live = openLive(device, { bufferSize: 1 << 20 });
  const info = live.info;
  live.close();
  return info;
}
