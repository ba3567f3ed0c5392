/**
 * The package as a user gets it: `npm pack` (which runs the `prepare` build: tsc to dist/ with
 * declarations, and the bundled command in dist/bin), the tarball installed into an empty
 * folder with `npm install <tgz>`, then the installed `tsdump` command run on a capture, the
 * library imported by name from a plain `.mjs` file, its types checked from a `.ts` consumer,
 * and the README's "Library" example run there as written.
 *
 * Every expected value is computed here from the sources (src/), so the test checks that the
 * built and installed package behaves exactly like the code the rest of the suite tests.
 * It needs npm and the npm registry (to install the package's dependencies); without them it
 * skips with the reason, except under CI=true, where it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/filter/index.ts';
import { createInterpreter } from '../../src/cbpf/index.ts';
import { openCapture } from '../../src/capture/index.ts';
import { formatD } from '../../src/isa/cbpf/index.ts';
import { npm, npmSkipReason as skipReason, repoRoot, sh } from './support.ts';

const sample = join(repoRoot, 'captures', 'http.pcap');

const skip = skipReason();
if (skip !== undefined) {
  if (process.env.CI === 'true') throw new Error(`pack-and-install test cannot run under CI=true: ${skip}`);
  console.warn(`SKIP test/package/pack.test.ts: ${skip}`);
}

/** The ```js block of the README's "Library" section. */
export function readmeLibraryExample(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Library'));
  if (!section) throw new Error('README.md has no "## Library" section');
  const m = /^```js\n([\s\S]*?)^```/m.exec(section);
  if (!m) throw new Error('the README\'s Library section has no ```js code block');
  return m[1]!;
}

/** What the sources say: matches of `expr` in the capture, by the cBPF interpreter. */
function expectedMatches(file: string, expr: string): number {
  const reader = openCapture(file);
  try {
    const { linkType, snaplen } = reader.info;
    const accepts = createInterpreter(compile(expr, { linkType, snaplen, optimize: true }));
    let n = 0;
    for (let rec = reader.next(); rec !== null; rec = reader.next()) if (accepts(rec.data, rec.caplen, rec.wirelen) !== 0) n++;
    return n;
  } finally {
    reader.close();
  }
}

let work = '';
let app = '';
let tarball = '';
let packFiles: string[] = [];
let packSize = 0;

describe.skipIf(skip !== undefined)('npm pack → npm install → command and library', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tsdump-pack-'));
    const packed = sh(npm, ['pack', '--json', '--pack-destination', work], repoRoot);
    if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stdout}\n${packed.stderr}`);
    // npm prints the build's output before the JSON; the JSON is the last top-level array.
    const json = JSON.parse(packed.stdout.slice(packed.stdout.lastIndexOf('\n[') + 1)) as { filename: string; size: number; files: { path: string }[] }[];
    tarball = join(work, json[0]!.filename);
    packSize = json[0]!.size;
    packFiles = json[0]!.files.map((f) => f.path);

    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tsdump-pack-test', private: true, type: 'module' }));
    // Optional dependencies (the native `cap` for live capture) are left out: building it is not what this checks.
    const inst = sh(npm, ['install', tarball, '--no-audit', '--no-fund', '--omit=optional', '--no-package-lock'], app);
    if (inst.status !== 0) throw new Error(`npm install of the tarball failed:\n${inst.stdout}\n${inst.stderr}`);
    cpSync(join(repoRoot, 'captures'), join(app, 'captures'), { recursive: true });
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the tarball holds the built package only, well under 2 MB', () => {
    expect(packSize).toBeLessThan(2_000_000);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/bin/tsdump.cjs']) expect(packFiles).toContain(f);
    expect(packFiles.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f))).toEqual([]);
    expect(packFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('the installed command reads a capture and prints what the sources print', () => {
    const bin = join(app, 'node_modules', '.bin', 'tsdump');
    expect(existsSync(bin)).toBe(true);
    const r = sh(bin, ['-nn', '-r', 'captures/http.pcap', 'tcp port 80'], app, 60_000);
    expect(r.stderr).toBe('reading from file captures/http.pcap, link-type EN10MB (Ethernet), snapshot length 65535\n');
    expect(r.status).toBe(0);
    const dev = spawnSync(process.execPath, [join(repoRoot, 'src', 'cli', 'bin.mjs'), '-nn', '-r', sample, 'tcp port 80'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(dev.status).toBe(0);
    expect(r.stdout).toBe(dev.stdout);
    expect(r.stdout.split('\n').filter(Boolean).length).toBe(expectedMatches(sample, 'tcp port 80'));

    const count = sh(bin, ['--count', '-r', 'captures/http.pcap', 'tcp[tcpflags] & tcp-push != 0'], app, 60_000);
    expect(count.stdout).toBe(`${expectedMatches(sample, 'tcp[tcpflags] & tcp-push != 0')} packets\n`);
    const d = sh(bin, ['-d', 'ip6 and udp'], app, 60_000);
    expect(d.stdout).toBe(formatD(compile('ip6 and udp', { linkType: 1, snaplen: 262144, optimize: true })));
    const bad = sh(bin, ['-y', 'EN10MB', '-d', 'tcp port'], app, 60_000);
    expect(bad.status).toBe(1);
    expect(bad.stderr.split('\n')[0]).toMatch(/^tsdump: .*column/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('a plain .mjs file imports the library by name and runs a filter', () => {
    writeFileSync(join(app, 'use.mjs'), [
      "import { compile, createInterpreter, formatDDD, openCapture } from 'tsdump';",
      "const reader = openCapture('captures/http.pcap');",
      "const prog = compile('tcp dst port 80', { linkType: reader.info.linkType, snaplen: reader.info.snaplen, optimize: true });",
      'const accepts = createInterpreter(prog);',
      'let n = 0;',
      'for (let rec = reader.next(); rec !== null; rec = reader.next()) if (accepts(rec.data, rec.caplen, rec.wirelen)) n++;',
      'reader.close();',
      "console.log(n + ' ' + formatDDD(prog).split('\\n')[0]);",
    ].join('\n'));
    const r = sh(process.execPath, ['use.mjs'], app, 60_000);
    expect(r.stderr).toBe('');
    const prog = compile('tcp dst port 80', { linkType: 1, snaplen: 65535, optimize: true });
    expect(r.stdout).toBe(`${expectedMatches(sample, 'tcp dst port 80')} ${prog.length}\n`);
  });

  it('the declarations type-check a TypeScript consumer (exports → types)', () => {
    writeFileSync(join(app, 'consumer.ts'), [
      "import { compile, type CbpfProgram, type CompileOptions } from 'tsdump';",
      "const opts: CompileOptions = { linkType: 1, snaplen: 65535, optimize: true };",
      "const prog: CbpfProgram = compile('ip', opts);",
      'export const n: number = prog.length;',
      "// @ts-expect-error: compile needs its options",
      "compile('ip');",
    ].join('\n'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, types: [] },
      files: ['consumer.ts'],
    }));
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app, 120_000);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it("the README's Library example runs against the installed package", () => {
    const code = readmeLibraryExample(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
    expect(code).toMatch(/from 'tsdump'/);
    writeFileSync(join(app, 'readme-example.mjs'), code);
    const r = sh(process.execPath, ['readme-example.mjs'], app, 60_000);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const syn = expectedMatches(sample, 'tcp port 80 and tcp[tcpflags] & tcp-syn != 0');
    expect(syn).toBeGreaterThan(0);
    expect(r.stdout).toContain(`${syn} of `);
  });
});
