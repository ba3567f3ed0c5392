/**
 * -C / -G / -W output rotation against what tcpdump 4.99.3 wrote for the same input
 * (test/golden/rotate/rotate.json, recorded by test/tools/gen-rotate-golden.ts): file names,
 * sizes and bytes; the -G name through strftime; the refused values; and -G's wall-clock
 * rotation and -W limit with a driven clock.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInProcess, repoRoot } from './golden-helpers.ts';
import { rotationInput } from './rotate-input.ts';
import { RotatingWriter, strftime, fileNumberDigits } from '../../src/cli/rotate.ts';
import { openReader } from '../../src/cli/capture-io.ts';

interface FileRow { name: string; size: number; sha256: string }
interface Golden {
  rotation: { args: string[]; exit: number; stderr: string; files: FileRow[] }[];
  g: { stderr: string; files: { size: number; sha256: string }[] };
  plain: FileRow;
  errors: { args: string[]; exit: number; stderr: string }[];
  strftime: { tz: string; t: number; format: string; text: string }[];
}
const golden = JSON.parse(readFileSync(join(repoRoot, 'test', 'golden', 'rotate', 'rotate.json'), 'utf8')) as Golden;

const work = mkdtempSync(join(tmpdir(), 'tsdump-rotate-'));
const input = join(work, 'in.pcap');
writeFileSync(input, rotationInput());
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
let dirs = 0;
function outDir(): string {
  const d = join(work, `o${dirs++}`);
  mkdirSync(d);
  return d;
}
function filesIn(dir: string): FileRow[] {
  return readdirSync(dir).sort().map((f) => ({ name: f, size: statSync(join(dir, f)).size, sha256: sha(join(dir, f)) }));
}

describe('rotation as tcpdump does it', () => {
  it('the generated input is what the golden data was recorded from', () => {
    expect(sha(input)).toBe(golden.plain.sha256);
  });

  for (const g of golden.rotation) {
    it(`-w out ${g.args.join(' ')}: the same file names and bytes`, async () => {
      const dir = outDir();
      const r = await runInProcess(['-r', input, '-w', join(dir, 'out'), ...g.args]);
      expect(r.exit).toBe(g.exit);
      expect(r.stderr.replace(input, 'IN')).toBe(g.stderr);
      expect(filesIn(dir)).toEqual(g.files);
    });
  }

  it('-G on a capture file: the name is the -w text through strftime at the start, the bytes those of -w', async () => {
    const dir = outDir();
    const before = Math.floor(Date.now() / 1000);
    const r = await runInProcess(['-r', input, '-G', '3600', '-w', join(dir, 'g-%s.pcap')]);
    const after = Math.floor(Date.now() / 1000);
    expect(r.exit).toBe(0);
    expect(r.stderr.replace(input, 'IN')).toBe(golden.g.stderr);
    const files = filesIn(dir);
    expect(files.map(({ size, sha256 }) => ({ size, sha256 }))).toEqual(golden.g.files);
    const s = Number(/^g-(\d+)\.pcap$/.exec(files[0]!.name)?.[1]);
    expect(s).toBeGreaterThanOrEqual(before);
    expect(s).toBeLessThanOrEqual(after);
  });

  for (const e of golden.errors) {
    it(`refuses ${e.args.join(' ')} with tcpdump's words`, async () => {
      const r = await runInProcess(['-r', input, '-w', join(work, 'never'), ...e.args]);
      expect(r.exit).toBe(e.exit);
      expect(r.stderr.trimEnd()).toBe(e.stderr.replace(/^tcpdump:/, 'tsdump:'));
    });
  }

  it('-w - with -C is one error line', async () => {
    const r = await runInProcess(['-r', input, '-w', '-', '-C', '1']);
    expect(r.exit).toBe(1);
    expect(r.stderr.trimEnd().split('\n').pop()).toBe('tsdump: -C and -G need a file name with -w, not - (standard output)');
  });
});

describe('strftime as the C library formats -G names', () => {
  const saved = process.env.TZ;
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
  for (const tz of [...new Set(golden.strftime.map((s) => s.tz))]) {
    it(`TZ=${tz}`, () => {
      process.env.TZ = tz;
      const rows = golden.strftime.filter((s) => s.tz === tz);
      expect(rows.map((s) => strftime(s.format, new Date(s.t * 1000)))).toEqual(rows.map((s) => s.text));
    });
  }
});

describe('-G with a driven clock', () => {
  /** The first `n` packets of the input, through a writer whose clock `tick` advances. */
  function drive(rot: { seconds?: number; fileSize?: number; fileCount?: number }, name: string, clock: number[]): { w: RotatingWriter; written: number } {
    const r = openReader(input, 'ours');
    let i = 0;
    const w = new RotatingWriter(name, rot, { linkType: 1, snaplen: 262144, precision: 'micro', pcapng: false }, false, 1000, () => clock[Math.min(i, clock.length - 1)]!);
    let written = 0;
    try {
      for (let rec = r.next(); rec !== null && i < clock.length; rec = r.next(), i++) {
        if (!w.admit()) break;
        w.write(rec);
        written++;
      }
    } finally {
      w.close();
      r.close();
    }
    return { w, written };
  }

  it('a new strftime-named file when the period has passed, none before', () => {
    const dir = outDir();
    process.env.TZ = 'UTC';
    const { w, written } = drive({ seconds: 10 }, join(dir, 'x-%H%M%S'), [1000, 1009, 1010, 1011, 1025, 1026]);
    expect(written).toBe(6);
    // Periods start at 1000 (00:16:40), 1010 (00:16:50) and 1025 (00:17:05).
    expect(w.opened.map((p) => p.slice(dir.length + 1))).toEqual(['x-001640', 'x-001650', 'x-001705']);
    expect(filesIn(dir).map((f) => f.name)).toEqual(['x-001640', 'x-001650', 'x-001705']);
  });

  it('-W count with -G alone stops before the count-th rotation opens a file', () => {
    const dir = outDir();
    const { w, written } = drive({ seconds: 1, fileCount: 2 }, join(dir, 'y-%s'), [1000, 1001, 1001, 1002, 1003]);
    expect(w.limitReached).toBe(true);
    expect(written).toBe(3);
    expect(filesIn(dir).map((f) => f.name)).toEqual(['y-1000', 'y-1001']);
  });

  it('-G with -C: numbering restarts in each period', () => {
    const dir = outDir();
    const clock = Array.from({ length: 2000 }, (_, i) => (i < 1500 ? 1000 : 2000));
    const { w } = drive({ seconds: 500, fileSize: 1000000 }, join(dir, 'z-%s-'), clock);
    expect(w.opened.map((p) => p.slice(dir.length + 1))).toEqual(['z-1000-', 'z-1000-1', 'z-2000-']);
  });

  it('digits of the -W suffix', () => {
    expect([1, 2, 10, 11, 100, 101].map(fileNumberDigits)).toEqual([0, 1, 1, 2, 2, 3]);
  });
});
