/**
 * The bpf_conformance suite through the verified pipeline: every one of its 313 programs goes
 * through `verify(program, conformanceHook())` and then, verified, through `load(verified)` on
 * every engine, and must give the suite's expected r0 (or its expected error). A program the
 * verifier refuses is a failure unless the suite expects an error from it. This is the proof
 * that the conformance convention (r1 = memory, r2 = length, helper 5 = unwind, RFC 9669
 * semantics, callx, loops under the budget) loses nothing by verifying first; the plugin itself
 * stays unverified for the reasons in src/cli/commands/bpf-conformance-plugin.ts.
 */
import { describe, expect, it } from 'vitest';
import { conformanceHelpers } from '../../src/cli/commands/bpf-conformance-plugin.ts';
import { UserError } from '../../src/errors.ts';
import { ENGINE_NAMES, load } from '../../src/runtime/index.ts';
import { conformanceHook, VerifierError, verify } from '../../src/runtime/verifier/index.ts';
import type { VerifiedProgram } from '../../src/runtime/verifier/index.ts';
import { corpusSkipReason, readAssembled, readDataDir } from '../isa/ebpf/corpus.ts';

describe.skipIf(corpusSkipReason !== undefined)('bpf_conformance through verify → load', () => {
  it('verifies every suite program and runs it verified with the expected result on every engine', () => {
    const tests = readDataDir('tests');
    const assembled = readAssembled();
    const failures: string[] = [];
    let verified = 0, refusedExpectingError = 0, runs = 0;
    for (const t of tests) {
      const program = new Uint8Array(Buffer.from(assembled.get(t.file)!.program_hex, 'hex'));
      let v: VerifiedProgram;
      try {
        v = verify(program, conformanceHook());
      } catch (e) {
        if (!(e instanceof VerifierError)) throw e;
        if (t.error !== undefined) refusedExpectingError++;
        else failures.push(`${t.file}: refused by the verifier: ${e.message}`);
        continue;
      }
      verified++;
      for (const engine of ENGINE_NAMES) {
        let got: string;
        try {
          got = load(v, { engine, helpers: conformanceHelpers }).run64({ mem: t.mem.slice() }).toString(16);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          got = `error: ${e.message}`;
        }
        runs++;
        const ok = t.error !== undefined ? got.startsWith('error:') : t.result !== undefined && got === t.result.toString(16);
        if (!ok) failures.push(`${t.file} on ${engine}: expected ${t.error !== undefined ? 'an error' : `0x${t.result?.toString(16)}`}, got ${got}`);
      }
    }
    console.log(`bpf_conformance: ${verified}/${tests.length} verified under conformanceHook, ${refusedExpectingError} refused where the suite expects an error; ${runs} verified runs`);
    expect(failures).toEqual([]);
    expect(tests.length).toBe(313);
    expect(verified).toBeGreaterThan(290);
  });
});
