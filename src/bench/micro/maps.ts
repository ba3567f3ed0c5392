/**
 * eBPF map operations from TypeScript (what a helper costs beyond the call): hash lookup and
 * update, an LRU hash evicting at twice its capacity, array lookup, and a ring buffer's
 * reserve / commit / consume cycle.
 */
import { BPF_ANY, createMap, u32Key, type RingBuf } from '../../maps/index.ts';
import type { BenchCase, MicroSuite } from './harness.ts';

export const suite: MicroSuite = {
  name: 'maps',
  setup(): BenchCase[] {
    const keys = Array.from({ length: 1024 }, (_, i) => u32Key(i * 2654435761));
    const hash = createMap({ kind: 'hash', keySize: 4, valueSize: 8, maxEntries: 1024 });
    const lru = createMap({ kind: 'lru_hash', keySize: 4, valueSize: 8, maxEntries: 512 });
    const arr = createMap({ kind: 'array', keySize: 4, valueSize: 8, maxEntries: 1024 });
    const rb = createMap({ kind: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 1 << 16 });
    const val = new Uint8Array(8);
    for (const k of keys) hash.update(k, val, BPF_ANY);

    let sink = 0;
    const cases: BenchCase[] = [
      { name: 'hash lookup (4-byte key, hit)', run: (n) => { for (let i = 0; i < n; i++) sink += hash.lookup(keys[i & 1023]!)!.length; return sink; } },
      { name: 'hash update existing (BPF_ANY)', run: (n) => { for (let i = 0; i < n; i++) sink += hash.update(keys[i & 1023]!, val, BPF_ANY); return sink; } },
      { name: 'LRU update, 2x over capacity (evicting)', run: (n) => { for (let i = 0; i < n; i++) sink += lru.update(keys[i & 1023]!, val, BPF_ANY); return sink; } },
      { name: 'array lookup', run: (n) => { for (let i = 0; i < n; i++) sink += arr.lookup(keys[i & 1023]!)?.length ?? 0; return sink; } },
      { name: 'ringbuf reserve+submit+consume (16 B)', run: (n) => { for (let i = 0; i < n; i++) { const r = (rb as RingBuf); const v = r.reserve(16)!; r.commit(v); if ((i & 255) === 255) r.consume(() => sink++); } return sink; } },
    ];
    return cases;
  },
};
