/**
 * The two ways the README gives to install the command for a whole machine, each into a
 * temporary prefix (`npm install -g --prefix DIR`, so nothing outside the test's folder changes):
 *
 *   - from a git URL of a clone (`npm install -g git+file://…`): npm clones it, runs the
 *     `prepare` build (test/tools/build-if-stale.mjs, which also works around npm's global
 *     git-preparation bugs: see its header), packs and installs the result;
 *   - from the tarball `npm pack` makes (`npm install -g tsdump-0.1.0.tgz`).
 *
 * Either way `<prefix>/bin/tsdump` must read a capture and print exactly what the sources print.
 * The clone is of the committed tree (what a user gets). Packages come from npm's cache when it
 * has them (--prefer-offline); the registry must be reachable for the rest: without npm, git or
 * the registry this skips with the reason, except under CI=true, where it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { npm, npmSkipReason, repoRoot, sh } from './support.ts';

const sample = join(repoRoot, 'captures', 'http.pcap');

function skipReason(): string | undefined {
  const why = npmSkipReason();
  if (why !== undefined) return why;
  if (sh('git', ['--version'], repoRoot, 30_000).status !== 0) return 'git is not available';
  if (!existsSync(join(repoRoot, '.git'))) return 'the sources are not a git repository (nothing to clone)';
  return undefined;
}

const skip = skipReason();
if (skip !== undefined) {
  if (process.env.CI === 'true') throw new Error(`global-install test cannot run under CI=true: ${skip}`);
  console.warn(`SKIP test/package/global-install.test.ts: ${skip}`);
}

/** The development command's output for the same run (the reference). */
function devOutput(): string {
  const dev = spawnSync(process.execPath, [join(repoRoot, 'src', 'cli', 'bin.mjs'), '-nn', '-r', sample, 'tcp port 80'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  expect(dev.status).toBe(0);
  return dev.stdout;
}

/** Runs the globally installed command on the sample capture. */
function runInstalled(prefix: string): { stdout: string; stderr: string; status: number | null } {
  const bin = process.platform === 'win32' ? join(prefix, 'tsdump.cmd') : join(prefix, 'bin', 'tsdump');
  expect(existsSync(bin)).toBe(true);
  return sh(bin, ['-nn', '-r', sample, 'tcp port 80'], repoRoot, 60_000);
}

const INSTALL = ['--no-audit', '--no-fund', '--prefer-offline', '--omit=optional'];
let work = '';

describe.skipIf(skip !== undefined)('npm install -g: from a git URL and from the tarball', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tsdump-global-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('npm install -g git+file://<clone> gives a working command', () => {
    const clone = join(work, 'clone');
    const c = sh('git', ['clone', '--quiet', repoRoot, clone], work, 120_000);
    expect(c.stderr).toBe('');
    const prefix = join(work, 'from-git');
    const inst = sh(npm, ['install', '-g', '--prefix', prefix, ...INSTALL, `git+${pathToFileURL(clone).href}`], work, 1_200_000);
    if (inst.status !== 0) throw new Error(`npm install -g from git failed:\n${inst.stdout}\n${inst.stderr}`);
    const r = runInstalled(prefix);
    expect(r.stderr).toBe(`reading from file ${sample}, link-type EN10MB (Ethernet), snapshot length 65535\n`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(devOutput());
  }, 1_500_000);

  it('npm install -g <tarball> gives a working command', () => {
    const packed = sh(npm, ['pack', '--json', '--pack-destination', work], repoRoot, 600_000);
    if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stdout}\n${packed.stderr}`);
    const json = JSON.parse(packed.stdout.slice(packed.stdout.lastIndexOf('\n[') + 1)) as { filename: string }[];
    const prefix = join(work, 'from-tarball');
    const inst = sh(npm, ['install', '-g', '--prefix', prefix, ...INSTALL, join(work, json[0]!.filename)], work, 600_000);
    if (inst.status !== 0) throw new Error(`npm install -g of the tarball failed:\n${inst.stdout}\n${inst.stderr}`);
    const r = runInstalled(prefix);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(devOutput());
  }, 900_000);
});
