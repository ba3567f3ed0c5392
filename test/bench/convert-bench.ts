/**
 * Converter benchmark: ns per packet of the same libpcap 1.10.3 filter run (1) by the classic
 * reference interpreter, and converted by toEbpf and run (2) on the eBPF interpreter and (3)
 * on the JS JIT, as a socket filter and as XDP. The programs are libpcap's own listings for
 * Ethernet (test/golden/cbpf/tcpdump-listings.jsonl, committed); the packets are a corpus
 * capture (tcpdump-captures/afs.pcap; the repo's filters/verdicts/packets/EN10MB.pcap when the
 * reference corpus is absent). One op = one packet, cycling through the capture; each run checks
 * the converted verdicts against the reference once, so a wrong translation cannot be timed.
 */
import type { BenchCase, BenchResult, BenchSuite } from './harness.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { loadPackets, loadPrograms } from './inputs.ts';
import { convert, loadConverted, XDP_DROP, XDP_PASS } from '../../src/convert/index.ts';
import type { ConvertHook } from '../../src/convert/index.ts';
import type { EngineName } from '../../src/runtime/index.ts';

const EXPRESSIONS = ['ip6', 'tcp src port 25', 'portrange 1023-1', 'vlan 10'];

let notes: string[] = [];

export const suite: BenchSuite = {
  name: 'cBPF → eBPF converter (ns/packet: cbpf interpreter vs converted on eBPF interp / JIT)',
  setup(): BenchCase[] {
    const { name, packets } = loadPackets();
    notes = [`packets: ${packets.length} from ${name}; one op = one packet`];
    const cases: BenchCase[] = [];
    const m = packets.length;
    // The converted programs get every packet as a window (offset, caplen) of ONE buffer, as a
    // block capture reader hands them over: the runtime then keeps its packet DataView.
    const offsets = new Int32Array(m);
    let total = 0;
    packets.forEach((p, i) => { offsets[i] = total; total += p.caplen; });
    const block = new Uint8Array(total);
    packets.forEach((p, i) => block.set(p.data.subarray(0, p.caplen), offsets[i]!));
    for (const { expr, prog } of loadPrograms(EXPRESSIONS)) {
      const ref = createInterpreter(prog);
      cases.push({
        name: `${expr}: cbpf interpreter`,
        run(n) {
          let acc = 0;
          for (let i = 0, j = 0; i < n; i++, j = j + 1 === m ? 0 : j + 1) {
            const p = packets[j]!;
            acc += ref(p.data, p.caplen, p.wirelen);
          }
          return acc;
        },
      });
      const variants: [ConvertHook, EngineName][] = [['socket', 'interp'], ['socket', 'jit'], ['xdp', 'jit']];
      for (const [hook, engine] of variants) {
        const conv = convert(prog, { hook });
        const r = loadConverted(conv, hook, { engine });
        // Refuse to time a wrong translation.
        for (const p of packets) {
          const v = ref(p.data, p.caplen, hook === 'xdp' ? p.caplen : p.wirelen);
          const want = hook === 'xdp' ? (v ? XDP_PASS : XDP_DROP) : v;
          if (r.run(p.data, 0, p.caplen, p.wirelen) !== want) throw new Error(`convert-bench: ${expr} ${hook}/${engine} disagrees with the reference`);
        }
        if (engine === 'jit') notes.push(`${expr} ${hook}: ${prog.length} cBPF insns → ${conv.prog.length} eBPF insns`);
        cases.push({
          name: `${expr}: ${hook} eBPF ${engine}`,
          run(n) {
            let acc = 0;
            for (let i = 0, j = 0; i < n; i++, j = j + 1 === m ? 0 : j + 1) {
              const p = packets[j]!;
              acc += r.run(block, offsets[j]!, p.caplen, p.wirelen);
            }
            return acc;
          },
        });
      }
    }
    return cases;
  },
  notes(results: BenchResult[]): string[] {
    const out = notes.slice();
    for (const expr of EXPRESSIONS) {
      const base = results.find((r) => r.name === `${expr}: cbpf interpreter`);
      const jit = results.find((r) => r.name === `${expr}: socket eBPF jit`);
      const interp = results.find((r) => r.name === `${expr}: socket eBPF interp`);
      if (base && jit && interp) {
        out.push(`${expr}: socket JIT ${(jit.nsPerOp / base.nsPerOp).toFixed(2)}x, socket eBPF interp ${(interp.nsPerOp / base.nsPerOp).toFixed(2)}x the cbpf interpreter's time`);
      }
    }
    return out;
  },
};
