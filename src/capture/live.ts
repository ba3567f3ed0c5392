/**
 * Live capture through the optional `cap` package (a native binding to libpcap, built against
 * libpcap-dev at install time). `cap` only delivers the bytes: tsdump gives it no filter and
 * filters every packet itself, like a file's.
 *
 * What `cap` does and does not expose shapes the records: it opens the device with a 65,535-byte
 * snapshot, promiscuous, immediate mode, and copies each packet into one buffer we own, then
 * emits (length, truncated). It reports no timestamp and no wire length, so a record's timestamp
 * is the host clock when the event is handled (microsecond resolution), and its wire length is
 * its captured length. Link types: the five `cap` names (Ethernet, NULL, 802.11 radiotap, Linux
 * cooked, raw IP). A record is one reused object whose `data` is valid only during the callback.
 *
 * The package is imported on first use, so tsdump installs and reads files without it; its
 * absence, and libpcap's refusals (permissions, unknown device), are UserErrors.
 */
import { createRequire } from 'node:module';
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
export const LIVE_SNAPLEN = 65535;

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
export function loadCap(): CapModule {
  if (capModule) return capModule;
  try {
    capModule = createRequire(import.meta.url)('cap') as CapModule;
    return capModule;
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw new UserError('live.no-cap', `live capture needs the optional 'cap' package, which is not available (${why}); install libpcap-dev and a C++ toolchain, then run npm install`);
  }
}

export interface LiveDevice {
  name: string;
  description?: string;
  addresses: string[];
}

/** The capture devices libpcap sees (tcpdump -D). */
export function listDevices(): LiveDevice[] {
  return loadCap().Cap.deviceList().map((d) => ({
    name: d.name,
    description: d.description,
    addresses: (d.addresses ?? []).map((a) => a.addr).filter((a): a is string => typeof a === 'string'),
  }));
}

export interface LiveCapture {
  readonly device: string;
  readonly info: CaptureInfo;
  /** Packets delivered so far. */
  readonly received: number;
  /** Calls `onPacket` for every packet until `close()`. */
  start(onPacket: (rec: PacketRecord) => void): void;
  close(): void;
}

export interface LiveOptions {
  /** Kernel buffer size in bytes (default 8 MiB). */
  bufferSize?: number;
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
    throw new UserError('live.open', `${device}: No such device exists (tsdump -D lists the interfaces)`);
  }
  const cap = new Cap();
  // One byte more than the snapshot, so `truncated` never fires for a full-snapshot packet.
  const buffer = Buffer.alloc(LIVE_SNAPLEN + 1);
  let name: string;
  try {
    name = cap.open(device, '', opts.bufferSize ?? 8 << 20, buffer);
  } catch (e) {
    failedHandles.push(cap);
    const msg = (e as Error).message;
    const denied = /permitted|permission/i.test(msg);
    throw new UserError('live.open', `${device}: ${denied ? `You don't have permission to capture on that device (${msg})` : msg}`);
  }
  const linkType = CAP_LINK_TYPES[name];
  if (linkType === undefined) {
    cap.close();
    throw new UserError('live.link-type', `${device}: ${name} (cap reports only Ethernet, NULL, 802.11 radiotap, Linux cooked and raw IP)`);
  }
  const info: CaptureInfo = { format: 'live', linkType, snaplen: LIVE_SNAPLEN, precision: 'micro', rawLinkTypeField: linkType, bigEndian: false };
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  const rec: PacketRecord = { data: bytes.subarray(0, 0), caplen: 0, wirelen: 0, tsSec: 0, tsNsec: 0, linkType, interfaceId: 0, offset: -1, buf: bytes, dataOffset: 0 };
  let received = 0;
  let open = true;
  return {
    device,
    info,
    get received() { return received; },
    start(onPacket) {
      cap.on('packet', (nbytes) => {
        if (!open) return;
        received++;
        const ms = performance.timeOrigin + performance.now();
        const sec = Math.floor(ms / 1000);
        rec.tsSec = sec;
        rec.tsNsec = Math.floor((ms - sec * 1000) * 1000) * 1000; // microseconds, as tcpdump's default
        rec.caplen = rec.wirelen = nbytes;
        rec.data = bytes.subarray(0, nbytes);
        onPacket(rec);
      });
    },
    close() {
      if (!open) return;
      open = false;
      cap.close();
    },
  };
}
