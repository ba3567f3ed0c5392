/**
 * The strict validator against the Linux kernel's classic-BPF checker: 20,000 seeded random
 * programs (about a third valid, the rest breaking one rule or another; see
 * randomValidatorPrograms) and whether the kernel accepted each with setsockopt(SO_ATTACH_FILTER),
 * recorded in test/golden/cbpf/kernel-validate.json by test/tools/gen-cbpf-golden.ts --only kernel.
 * Our verdict (no issues) must equal the kernel's on every program. The same golden has libpcap
 * 1.10.3's bpf_validate answers: the non-strict mode must never accept what it rejects, and may
 * reject only unknown opcodes and `ja` to itself (which 1.10.3's bpf_filter aborts or loops on).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/cbpf/validate.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import { goldenDir } from './corpus-path.ts';
import { digestOfPrograms, randomValidatorPrograms } from './random-programs.ts';

const golden = JSON.parse(readFileSync(join(goldenDir, 'kernel-validate.json'), 'utf8')) as {
  kernel: string; seed: number; count: number; digest: string; accepted: string; libpcapValidate: string;
};

describe(`validate (strict) vs the kernel's checker (${golden.kernel})`, () => {
  const progs = randomValidatorPrograms(golden.seed, golden.count);

  it('the generator still produces the programs the golden was made from', () => {
    expect(digestOfPrograms(progs)).toBe(golden.digest);
    expect(golden.accepted.length).toBe(golden.count);
  });

  it('accepts exactly the programs the kernel accepts', () => {
    const bad: string[] = [];
    progs.forEach((p, i) => {
      const issues = validate(p);
      const kernel = golden.accepted[i] === '1';
      if ((issues.length === 0) !== kernel && bad.length < 5) {
        bad.push(`#${i} ${formatDDDLine(p).slice(0, 200)}: kernel ${kernel ? 'accepts' : 'rejects'}, ours ${issues[0]?.message ?? 'accepts'}`);
      }
    });
    expect(bad).toEqual([]);
  });

  it('has both outcomes in quantity', () => {
    const accepted = golden.accepted.split('').filter((c) => c === '1').length;
    expect(accepted).toBeGreaterThan(golden.count / 5);
    expect(golden.count - accepted).toBeGreaterThan(golden.count / 5);
  });
});

describe('validate (non-strict) vs libpcap 1.10.3 bpf_validate', () => {
  const progs = randomValidatorPrograms(golden.seed, golden.count);
  it('never accepts what libpcap rejects; rejects more only for unknown opcodes and self-jumps', () => {
    const bad: string[] = [];
    let stricter = 0;
    progs.forEach((p, i) => {
      const issues = validate(p, { strict: false, maxInsns: 1 << 30 });
      const libpcap = golden.libpcapValidate[i] === '1';
      if (issues.length === 0 && !libpcap) bad.push(`#${i} ${formatDDDLine(p).slice(0, 200)}: libpcap rejects, ours accepts`);
      if (issues.length > 0 && libpcap) {
        stricter++;
        if (!issues.every((x) => x.code === 'CBPF_BAD_OPCODE' || x.code === 'CBPF_BACKWARD_JUMP' || x.code === 'CBPF_NO_RET')) {
          bad.push(`#${i} ${formatDDDLine(p).slice(0, 200)}: libpcap accepts, ours ${issues.map((x) => x.message).join('; ')}`);
        }
      }
    });
    expect(bad.slice(0, 5)).toEqual([]);
    expect(stricter).toBeGreaterThan(0);
  });
});
