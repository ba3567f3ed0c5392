#!/usr/bin/env node
// npm's `prepare` step: runs `npm run build` unless dist/ is already newer than every source.
// npm runs `prepare` on `npm install` in a clone, when it installs the package from git, and
// also each time `npx tsdump` links the working copy into its cache; without this check that
// last case would rebuild a current dist/ for nothing. Stale means: dist/index.js or
// dist/bin/tsdump.cjs (the launcher) or dist/bin/tsdump-bundle.cjs is missing, or any file under
// src/ or package.json / tsconfig*.json was
// modified after the oldest of them (a `git pull` or an edit does that; make works the same way).
// `npm run build` always rebuilds.
//
// The build needs the devDependencies (typescript, esbuild). npm installs them before `prepare`
// for a git dependency, except under `npm install -g git+…`: npm hands its own settings to the
// programs it starts as npm_config_* variables, so the preparation's `npm install` inherits
// `global` and `prefix`, installs the clone as a global package instead of installing its
// devDependencies, and the build fails with "tsc: not found". So when the build tools are
// missing, this installs them first, in this folder, from the lockfile, with those settings
// removed (and no scripts: the install must not run this `prepare` again).
//
// That same inherited `global` has one more effect (npm/cli issues 3692, 4148, 8440): the
// preparation links the global package folder (<prefix>/lib/node_modules/tsdump) to the
// temporary clone, and the real install then writes the package through that link into the
// clone, which npm deletes afterwards — leaving a dangling link and no command. So in that one
// situation (a git preparation, `global` set, the global folder a link to this clone), once
// dist/ is built, the link is replaced by a real folder holding the package's files: the
// install that follows writes the same files into it, and nothing points into the clone.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function newest(dir) {
  let t = -1;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : mtime(p));
  }
  return t;
}

const outputs = ['dist/index.js', 'dist/bin/tsdump.cjs', 'dist/bin/tsdump-bundle.cjs'].map((p) => mtime(join(root, p)));
const built = outputs.includes(-1) ? -1 : Math.min(...outputs);
const inputs = Math.max(newest(join(root, 'src')), ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => mtime(join(root, p))));
if (built > inputs) {
  console.log('tsdump: dist/ is up to date (npm run build rebuilds it)');
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // npm's settings that make a command act on the global folder, not on this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(global|location|prefix)$/i.test(k)));
  const run = (args) => spawnSync(npm, args, { cwd: root, env, stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;
  const tools = ['typescript', 'esbuild'].filter((t) => !existsSync(join(root, 'node_modules', t, 'package.json')));
  if (tools.length > 0) {
    console.log(`tsdump: installing the build tools (${tools.join(', ')}) from package-lock.json`);
    const s = run(['install', '--include=dev', '--no-save', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund']);
    if (s !== 0) process.exit(s);
  }
  const b = run(['run', 'build']);
  if (b !== 0) process.exit(b);
  unlinkGlobalClone();
}

/** See the header: the global package folder linked to this temporary clone becomes a copy. */
function unlinkGlobalClone() {
  const globalPrefix = process.env.npm_config_global_prefix;
  if (process.env._PACOTE_NO_PREPARE_ === undefined || process.env.npm_config_global !== 'true' || !globalPrefix) return;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dest = process.platform === 'win32' ? join(globalPrefix, 'node_modules', pkg.name) : join(globalPrefix, 'lib', 'node_modules', pkg.name);
  try {
    if (!lstatSync(dest).isSymbolicLink() || realpathSync(dest) !== realpathSync(root)) return;
  } catch {
    return;
  }
  rmSync(dest);
  mkdirSync(dest, { recursive: true });
  for (const f of ['package.json', ...pkg.files]) if (existsSync(join(root, f))) cpSync(join(root, f), join(dest, f), { recursive: true });
  console.log(`tsdump: ${dest} was a link to npm's temporary clone; made it a copy of the built package`);
}
