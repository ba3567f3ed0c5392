/**
 * Runs EVERY bpf_conformance test through every engine, in-process: the program bytes from the
 * suite's own assembler (JSONL) and from our assembler of the `-- asm` section (which must be
 * identical), checked against `-- result` / `-- error`; prints pass counts per engine. Also
 * spawns the real `tsdump bpf-conformance-plugin` for a few tests, and checks that each
 * corpus negative fails the way the suite intends.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../src/cli/commands/bpf-conformance-plugin.ts';
import { UserError } from '../../src/errors.ts';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { encodeProgram } from '../../src/isa/ebpf/codec.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import { corpusSkipReason, readAssembled, readDataDir } from '../isa/ebpf/corpus.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Tests we do not pass, each with its reason (must stay empty for the v4 target). */
const EXCEPTIONS = new Map<string, string>();

describe.skipIf(corpusSkipReason !== undefined)('bpf_conformance', () => {
  const tests = readDataDir('tests');
  const assembled = readAssembled();

  for (const engine of ENGINE_NAMES) {
    it(`passes every test on ${engine}`, () => {
      let pass = 0;
      const failures: string[] = [];
      for (const t of tests) {
        const row = assembled.get(t.file)!;
        const ours = hex(encodeProgram(assemble(t.asm!)));
        expect(ours, `${t.file}: our assembler`).toBe(row.program_hex);
        const program = new Uint8Array(Buffer.from(row.program_hex, 'hex'));
        let got: string;
        try {
          got = runConformance(program, t.mem, engine);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          got = `error: ${e.message}`;
        }
        const ok = t.error !== undefined ? got.startsWith('error:') : t.result !== undefined && got === t.result.toString(16);
        if (ok) pass++;
        else if (!EXCEPTIONS.has(t.file)) failures.push(`${t.file}: expected ${t.error !== undefined ? `error ${t.error}` : `0x${t.result?.toString(16)}`}, got ${got}`);
      }
      console.log(`bpf_conformance ${engine}: ${pass}/${tests.length} passed${EXCEPTIONS.size ? `, ${EXCEPTIONS.size} known exceptions` : ''}`);
      expect(failures).toEqual([]);
      expect(pass + EXCEPTIONS.size).toBe(313);
    });
  }

  it('every corpus negative fails', () => {
    let failedAsIntended = 0;
    for (const t of readDataDir('negative')) {
      let outcome: string;
      try {
        const program = t.raw ?? (t.asm !== undefined && t.asm.trim() !== '' ? encodeProgram(assemble(t.asm)) : undefined);
        if (!program) throw new UserError('EBPF_EMPTY', 'no program');
        outcome = runConformance(program, t.mem, 'interp');
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        outcome = `error: ${e.code}`;
      }
      const passes = t.error !== undefined ? outcome.startsWith('error:') && t.error === '' : t.result !== undefined && outcome === t.result.toString(16);
      // A negative "passes" only if it behaved as its sections claim; every one must not.
      expect(passes && !t.file.startsWith('unused-'), `${t.file}: ${outcome}`).toBe(false);
      if (t.file.startsWith('unused-')) expect(outcome, t.file).toBe('error: EBPF_INVALID_INSN');
      failedAsIntended++;
    }
    expect(failedAsIntended).toBe(60);
  });

  it('the plugin command speaks the protocol', () => {
    const cases = ['subnet.data', 'lock_cmpxchg.data', 'call_local.data', 'mem-len.data'];
    for (const file of cases) {
      const row = assembled.get(file)!;
      const t = tests.find((x) => x.file === file)!;
      const memArg = Array.from(t.mem, (b) => `${b.toString(16).padStart(2, '0')}  `).join('');
      const progIn = (row.program_hex.match(/../g) ?? []).map((b) => `${b}  `).join('') + '\n';
      for (const engine of ['interp', 'jit', 'jit64', 'auto']) {
        const args = ['src/cli/bin.mjs', 'bpf-conformance-plugin', '--engine', engine, ...(t.mem.length ? [memArg] : [])];
        const r = spawnSync(process.execPath, args, { cwd: root, input: progIn, encoding: 'utf8', timeout: 30000 });
        expect(r.stderr, file).toBe('');
        expect(r.status, file).toBe(0);
        expect(BigInt(`0x${r.stdout.trim()}`), file).toBe(t.result);
      }
    }
    const bad = spawnSync(process.execPath, ['src/cli/bin.mjs', 'bpf-conformance-plugin'], { cwd: root, input: 'ff00000000000000\n', encoding: 'utf8', timeout: 30000 });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/pc 0: .*invalid instruction/);
    const loop = spawnSync(process.execPath, ['src/cli/bin.mjs', 'bpf-conformance-plugin', '--engine', 'jit', '--budget', '1000'], { cwd: root, input: '05 00 ff ff 00 00 00 00\n', encoding: 'utf8', timeout: 30000 });
    expect(loop.status).toBe(1);
    expect(loop.stderr).toMatch(/instruction budget exhausted/);
    const badEngine = spawnSync(process.execPath, ['src/cli/bin.mjs', 'bpf-conformance-plugin', '--engine', 'nope'], { cwd: root, input: '9500000000000000\n', encoding: 'utf8', timeout: 30000 });
    expect(badEngine.status).toBe(1);
    expect(badEngine.stderr).toMatch(/--engine must be one of/);
    expect(badEngine.stderr).not.toMatch(/at .*\.ts/); // no stack trace reaches the user
  });
});
