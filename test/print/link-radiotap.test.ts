/**
 * Radiotap + 802.11 management frames (src/print/link/ieee80211.ts) on corpus packets, against
 * what tcpdump 4.99.3 prints for them (`tcpdump -nn [-e] -r FILE`): the radiotap fields in bit
 * order, deauthentication reasons (with the sender without -e, the BSSID/DA/SA header with -e),
 * an authentication step, and a bitmap this printer does not walk, which is marked approximate.
 */
import { describe, expect, it } from 'vitest';
import type { PrinterOptions } from '../../src/print/packet-printer.ts';
import { haveCorpus, printedLines } from './support.ts';


const first = (file: string, opts: Partial<PrinterOptions> = {}) => printedLines(file, 1, opts)[0]!;

const have = haveCorpus('reason_code-1.pcap');

describe.skipIf(!have)('radiotap and 802.11 as tcpdump prints them', () => {
  const radio = '1.0 Mb/s 2412 MHz 11b 100 sq antenna 0 57dB signal ';
  it('deauthentication: reason text by code, sender without -e, BSSID/DA/SA with -e', () => {
    expect(first('reason_code-1.pcap')).toEqual({ text: `${radio}DeAuthentication (00:0d:93:82:36:3a): Unspecified reason`, exact: true });
    expect(first('reason_code-0.pcap').text).toBe(`${radio}DeAuthentication (00:0d:93:82:36:3a): Reserved`);
    expect(first('reason_code-8.pcap', { linkHeader: true }).text).toBe(
      `${radio}BSSID:00:0c:41:82:b2:55 DA:00:0c:41:82:b2:55 SA:00:0d:93:82:36:3a DeAuthentication: Disassociated because sending STA is leaving (or has left) BSS`,
    );
  });
  it('authentication, an even step (no status printed)', () => {
    expect(first('status_code-5.pcap')).toEqual({ text: '1.0 Mb/s 2412 MHz 11b 88 sq antenna 0 42dB signal Authentication (Open System)-2: ', exact: true });
  });
  it('radiotap fields past the basic set are not walked: approximate', () => {
    expect(first('ieee802.11_htc.pcap').exact).toBe(false);
  });
});
