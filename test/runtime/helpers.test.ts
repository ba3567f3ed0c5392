import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import type { EbpfInsn } from '../../src/isa/ebpf/types.ts';
import { ArrayMap, BPF_NOEXIST, Errno, MapRegistry, RingBuf, u32Key } from '../../src/maps/index.ts';
import { createHelperState, formatTrace, HELPERS, helperFns, helperId, lddwResolver, mapHandle, MAX_TAIL_CALLS } from '../../src/runtime/helpers.ts';
import type { HelperState, XdpFrame } from '../../src/runtime/helpers.ts';
import { ENGINE_NAMES, load } from '../../src/runtime/index.ts';
import type { HelperEnv } from '../../src/runtime/index.ts';
import { conformanceHook, verify, xdpHook } from '../../src/runtime/verifier/index.ts';

/**
 * A stand-in for the engine's HelperEnv: registers are given directly, pointers are
 * (region index + 1) << 32 | offset into a list of byte arrays, with bounds checks.
 */
class FakeEnv implements HelperEnv {
  regions: Uint8Array[] = [];
  args: bigint[] = [0n, 0n, 0n, 0n, 0n];
  stopped = false;
  readonly pc = 0;
  constructor(readonly user: HelperState) {}
  ptrTo(b: Uint8Array, off = 0): bigint {
    let i = this.regions.indexOf(b);
    if (i < 0) i = this.regions.push(b) - 1;
    return (BigInt(i + 1) << 32n) | BigInt(off);
  }
  arg(n: number) { return this.args[n - 1]!; }
  argLo(n: number) { return Number(BigInt.asIntN(32, this.args[n - 1]!)); }
  argHi(n: number) { return Number(BigInt.asIntN(32, this.args[n - 1]! >> 32n)); }
  argMem(n: number, len: number) {
    const v = this.args[n - 1]!;
    const b = this.regions[Number(v >> 32n) - 1];
    const offset = Number(v & 0xffffffffn);
    if (b === undefined || offset + len > b.length) throw new Error(`bad pointer in r${n}`);
    return { bytes: b, offset };
  }
  pointerTo(b: Uint8Array, off = 0) { return this.ptrTo(b, off); }
  /** What a helper returned through pointerResult (the engine reads it from its T pair). */
  result: bigint | undefined;
  pointerResult(b: Uint8Array, off = 0) { this.result = this.ptrTo(b, off); return 0; }
  unwind() { this.stopped = true; }
}

const call = (name: string, env: FakeEnv, ...args: bigint[]): bigint => {
  env.args = [...args, 0n, 0n, 0n, 0n, 0n].slice(0, 5);
  env.result = undefined;
  const r = helperFns()[helperId(name)!]!(env);
  return env.result ?? BigInt.asUintN(64, BigInt(r));
};
const neg = (e: number) => BigInt.asUintN(64, BigInt(-e));

describe('helper table', () => {
  it('has the required ids with names and argument types', () => {
    const want: [number, string][] = [[1, 'map_lookup_elem'], [2, 'map_update_elem'], [3, 'map_delete_elem'], [5, 'ktime_get_ns'], [6, 'trace_printk'], [7, 'get_prandom_u32'], [8, 'get_smp_processor_id'], [12, 'tail_call'], [44, 'xdp_adjust_head'], [65, 'xdp_adjust_tail'], [130, 'ringbuf_output'], [131, 'ringbuf_reserve'], [132, 'ringbuf_submit'], [133, 'ringbuf_discard']];
    for (const [id, name] of want) expect(HELPERS.get(id)?.name).toBe(name);
    expect(HELPERS.get(2)!.args.map((a) => a.type)).toEqual(['map', 'key', 'value', 'any']);
    expect(HELPERS.get(131)!.ret).toBe('alloc_or_null');
  });
});

describe('map helpers', () => {
  const setup = () => {
    const reg = new MapRegistry({ nCpus: 4 });
    const h = reg.create({ kind: 'hash', keySize: 4, valueSize: 8, maxEntries: 2 });
    const pc = reg.create({ kind: 'percpu_array', keySize: 4, valueSize: 4, maxEntries: 1 }) as ArrayMap;
    const env = new FakeEnv(createHelperState({ registry: reg }));
    const stack = new Uint8Array(64);
    return { reg, h, pc, env, stack, sp: env.ptrTo(stack) };
  };
  it('lookup/update/delete go through key and value pointers and return kernel errnos', () => {
    const { h, env, stack, sp } = setup();
    stack.set(u32Key(7), 0); // key at +0
    stack.set([1, 2, 3, 4, 5, 6, 7, 8], 8); // value at +8
    expect(call('map_lookup_elem', env, mapHandle(h.id), sp)).toBe(0n);
    expect(call('map_update_elem', env, mapHandle(h.id), sp, sp + 8n, BigInt(BPF_NOEXIST))).toBe(0n);
    expect(call('map_update_elem', env, mapHandle(h.id), sp, sp + 8n, BigInt(BPF_NOEXIST))).toBe(neg(Errno.EEXIST));
    const p = call('map_lookup_elem', env, mapHandle(h.id), sp);
    expect(p).not.toBe(0n);
    env.args[0] = p;
    const { bytes, offset } = env.argMem(1, 8);
    expect(Array.from(bytes.subarray(offset, offset + 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    bytes[0] = 99; // a program store through the returned pointer lands in the map
    expect(h.lookup(u32Key(7))![0]).toBe(99);
    expect(call('map_delete_elem', env, mapHandle(h.id), sp)).toBe(0n);
    expect(call('map_delete_elem', env, mapHandle(h.id), sp)).toBe(neg(Errno.ENOENT));
    expect(call('map_update_elem', env, mapHandle(h.id), sp, sp + 8n, 1n << 40n)).toBe(neg(Errno.EINVAL));
    expect(call('map_lookup_elem', env, 12345n, sp)).toBe(0n); // not a map handle
  });
  it('per-CPU lookups use the run CPU, and get_smp_processor_id reports it', () => {
    const { pc, env, stack, sp } = setup();
    stack.set(u32Key(0), 0);
    env.user.cpu = 2;
    expect(call('get_smp_processor_id', env)).toBe(2n);
    const p = call('map_lookup_elem', env, mapHandle(pc.id), sp);
    env.args[0] = p;
    const { bytes, offset } = env.argMem(1, 4);
    bytes[offset] = 42;
    expect(pc.lookupAllCpus(u32Key(0))!.map((v) => v[0])).toEqual([0, 0, 42, 0]);
  });
  it('faults on a key pointer that does not cover the key', () => {
    const { h, env } = setup();
    const small = env.ptrTo(new Uint8Array(2));
    expect(() => call('map_lookup_elem', env, mapHandle(h.id), small)).toThrow(/bad pointer/);
  });
});

describe('clock, random, trace', () => {
  it('ktime_get_ns and get_prandom_u32 come from the run state', () => {
    let seed = 1;
    const env = new FakeEnv(createHelperState({ clockNs: () => 123456789n, random: () => (seed = (seed * 1103515245 + 12345) >>> 0) }));
    expect(call('ktime_get_ns', env)).toBe(123456789n);
    expect(call('ktime_get_boot_ns', env)).toBe(123456789n);
    const a = call('get_prandom_u32', env);
    const b = call('get_prandom_u32', env);
    expect(a).not.toBe(b);
    expect(a < 1n << 32n && b < 1n << 32n).toBe(true);
  });
  it('trace_printk formats up to three arguments and needs a NUL-terminated format', () => {
    const st = createHelperState();
    const env = new FakeEnv(st);
    const fmt = new TextEncoder().encode('len=%d proto=%x neg=%lld\0');
    const p = env.ptrTo(fmt);
    expect(call('trace_printk', env, p, BigInt(fmt.length), 60n, 0x11n, BigInt.asUintN(64, -5n))).toBe(BigInt('len=60 proto=11 neg=-5'.length));
    expect(st.traces).toEqual(['len=60 proto=11 neg=-5']);
    expect(call('trace_printk', env, p, 5n, 0n, 0n, 0n)).toBe(neg(Errno.EINVAL));
    expect(formatTrace('%u %d %c %% %p %s', [BigInt.asUintN(64, -1n), 0xffffffffn, 65n, 16n])).toBe('4294967295 -1 A % 0x10 %s');
  });
});

describe('ring buffer helpers', () => {
  it('reserve/submit/discard/output/query', () => {
    const reg = new MapRegistry();
    const rb = reg.create({ kind: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBuf;
    const st = createHelperState({ registry: reg });
    const env = new FakeEnv(st);
    const r = call('ringbuf_reserve', env, mapHandle(rb.id), 4n, 0n);
    expect(r).not.toBe(0n);
    expect(st.reserved.size).toBe(1);
    env.args[0] = r;
    const { bytes } = env.argMem(1, 4);
    bytes.set([1, 2, 3, 4]);
    expect(call('ringbuf_submit', env, r, 0n)).toBe(0n);
    expect(call('ringbuf_submit', env, r, 0n)).toBe(neg(Errno.EINVAL)); // already released
    const r2 = call('ringbuf_reserve', env, mapHandle(rb.id), 2n, 0n);
    expect(call('ringbuf_discard', env, r2, 0n)).toBe(0n);
    expect(call('ringbuf_reserve', env, mapHandle(rb.id), 2n, 1n)).toBe(0n); // flags must be 0
    const src = env.ptrTo(Uint8Array.from([7, 7, 9]));
    expect(call('ringbuf_output', env, mapHandle(rb.id), src + 1n, 2n, 0n)).toBe(0n);
    expect(call('ringbuf_query', env, mapHandle(rb.id), 0n)).toBe(48n); // 3 records of 16 bytes pending
    expect(rb.drain().map((x) => Array.from(x))).toEqual([[1, 2, 3, 4], [7, 9]]);
    expect(call('ringbuf_query', env, mapHandle(rb.id), 1n)).toBe(4096n);
    expect(call('ringbuf_reserve', env, mapHandle(rb.id), 5000n, 0n)).toBe(0n);
  });
});

describe('tail_call', () => {
  it('records the target and stops the program; fails with ENOENT on an empty slot; caps the chain', () => {
    const reg = new MapRegistry();
    const pa = reg.create({ kind: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 2 });
    const target = { name: 'next' };
    pa.update(u32Key(1), u32Key(reg.registerProgram(target)), 0);
    const st = createHelperState({ registry: reg });
    const env = new FakeEnv(st);
    expect(call('tail_call', env, 0n, mapHandle(pa.id), 0n)).toBe(neg(Errno.ENOENT));
    expect(env.stopped).toBe(false);
    expect(call('tail_call', env, 0n, mapHandle(pa.id), 1n)).toBe(0n);
    expect(env.stopped).toBe(true);
    expect(st.tailCallTarget).toBe(target);
    st.tailCalls = MAX_TAIL_CALLS;
    expect(call('tail_call', env, 0n, mapHandle(pa.id), 1n)).toBe(neg(Errno.E2BIG));
  });
});

describe('small helpers', () => {
  it('get_numa_node_id, jiffies64, ktime_get_coarse_ns', () => {
    const env = new FakeEnv(createHelperState({ clockNs: () => 10_000_000_000n }));
    expect(call('get_numa_node_id', env)).toBe(0n);
    expect(call('jiffies64', env)).toBe(2500n); // 10 s at HZ=250
    expect(call('ktime_get_coarse_ns', env)).toBe(10_000_000_000n);
  });
  it('map_lookup_percpu_elem reads the slot of the CPU asked for, NULL past the last CPU', () => {
    const reg = new MapRegistry({ nCpus: 2 });
    const pc = reg.create({ kind: 'percpu_array', keySize: 4, valueSize: 4, maxEntries: 1 }) as ArrayMap;
    pc.updateAllCpus(u32Key(0), [u32Key(10), u32Key(20)]);
    const env = new FakeEnv(createHelperState({ registry: reg }));
    const key = env.ptrTo(u32Key(0));
    const p = call('map_lookup_percpu_elem', env, mapHandle(pc.id), key, 1n);
    env.args[0] = p;
    const { bytes, offset } = env.argMem(1, 4);
    expect(bytes[offset]).toBe(20);
    expect(call('map_lookup_percpu_elem', env, mapHandle(pc.id), key, 2n)).toBe(0n);
  });
});

describe('XDP adjust helpers', () => {
  it('adjust_meta grows metadata in 4-byte steps up to 32 bytes', () => {
    const f: XdpFrame = { buf: new Uint8Array(256), data: 64, dataEnd: 124, dataMeta: 64, hardEnd: 224 };
    const env = new FakeEnv(createHelperState({ xdp: f }));
    expect(call('xdp_adjust_meta', env, 0n, BigInt.asUintN(64, -8n))).toBe(0n);
    expect(f.dataMeta).toBe(56);
    expect(call('xdp_adjust_meta', env, 0n, BigInt.asUintN(64, -2n))).toBe(neg(Errno.EACCES));
    expect(call('xdp_adjust_meta', env, 0n, BigInt.asUintN(64, -28n))).toBe(neg(Errno.EACCES)); // 36 > 32
    expect(call('xdp_adjust_meta', env, 0n, 12n)).toBe(neg(Errno.EINVAL)); // past data
    expect(call('xdp_adjust_meta', env, 0n, 8n)).toBe(0n);
    expect(f.dataMeta).toBe(64);
  });
  const frame = (): XdpFrame => ({ buf: new Uint8Array(256), data: 64, dataEnd: 64 + 60, dataMeta: 64, hardEnd: 256 - 32 });
  it('adjust_head moves data within the headroom and keeps at least an Ethernet header', () => {
    const f = frame();
    let changes = 0;
    f.onChange = () => changes++;
    const env = new FakeEnv(createHelperState({ xdp: f }));
    expect(call('xdp_adjust_head', env, 0n, BigInt.asUintN(64, -14n))).toBe(0n); // push an outer header
    expect(f.data).toBe(50);
    expect(call('xdp_adjust_head', env, 0n, 14n + 20n)).toBe(0n);
    expect(f.data).toBe(84);
    expect(call('xdp_adjust_head', env, 0n, BigInt.asUintN(64, -100n))).toBe(neg(Errno.EINVAL)); // past the buffer start
    expect(call('xdp_adjust_head', env, 0n, 30n)).toBe(neg(Errno.EINVAL)); // would leave < 14 bytes
    expect(changes).toBe(2);
  });
  it('adjust_tail shrinks and grows (zero-filled) up to the hard end', () => {
    const f = frame();
    f.buf.fill(0xee);
    const env = new FakeEnv(createHelperState({ xdp: f }));
    expect(call('xdp_adjust_tail', env, 0n, BigInt.asUintN(64, -20n))).toBe(0n);
    expect(f.dataEnd).toBe(104);
    expect(call('xdp_adjust_tail', env, 0n, 40n)).toBe(0n);
    expect(Array.from(f.buf.subarray(104, 144)).every((b) => b === 0)).toBe(true);
    expect(call('xdp_adjust_tail', env, 0n, 1000n)).toBe(neg(Errno.EINVAL));
    expect(call('xdp_adjust_tail', env, 0n, BigInt.asUintN(64, -75n))).toBe(neg(Errno.EINVAL));
    expect(call('xdp_adjust_tail', new FakeEnv(createHelperState()), 0n, 1n)).toBe(neg(Errno.EOPNOTSUPP));
  });
});

describe.each(ENGINE_NAMES)('helpers through the %s engine', (engine) => {
  it('a verified program updates a hash map with BPF_NOEXIST and reads it back', () => {
    const reg = new MapRegistry();
    const h = reg.create({ kind: 'hash', keySize: 4, valueSize: 8, maxEntries: 4 });
    const ld: EbpfInsn = { kind: 'lddw', lddw: 'map_fd', dst: 1, imm: h.id, imm2: 0 };
    const prog = [
      ...assemble('stw [%r10-4], 5\nstdw [%r10-16], 77\nmov %r2, %r10\nadd %r2, -4\nmov %r3, %r10\nadd %r3, -16\nmov %r4, 1'),
      ld,
      ...assemble('call 2\nmov %r6, %r0\nmov %r2, %r10\nadd %r2, -4'),
      { ...ld },
      ...assemble('call 1\njeq %r0, 0, miss\nldxdw %r0, [%r0]\nadd %r0, %r6\nexit\nmiss:\nmov %r0, -1\nexit'),
    ];
    const v = verify(prog, xdpHook((id) => reg.get(id)));
    const run = load(prog, { engine, helpers: helperFns(), resolveLddw: lddwResolver(reg) });
    const st = createHelperState({ registry: reg });
    expect(run.run64({ ctx: new Uint8Array(24), env: st })).toBe(77n); // update → 0, lookup → 77
    expect(run.run64({ ctx: new Uint8Array(24), env: st })).toBe(BigInt(77 - Errno.EEXIST)); // update → -EEXIST now
    expect(v.maps).toEqual([h.id]);
  });
  it("the conformance hook's helper 5 returns its argument and unwinds on 0", () => {
    const hook = conformanceHook();
    const prog = assemble('mov %r1, 0\ncall 5\nmov %r0, 9\nexit');
    verify(prog, hook);
    const fns = helperFns(hook.helperTable);
    expect(load(prog, { engine, helpers: fns }).run64()).toBe(0n);
    expect(load(assemble('mov %r1, 3\ncall 5\nadd %r0, 1\nexit'), { engine, helpers: fns }).run64()).toBe(4n);
  });
});
