#!/usr/bin/env node
// npm's `prepare` step: runs `npm run build` unless dist/ is already newer than every source.
// npm runs `prepare` on `npm install` in a clone, when it installs the package from git, and
// also each time `npx tsdump` links the working copy into its cache; without this check that
// last case would rebuild a current dist/ for nothing. Stale means: dist/index.js or
// dist/bin/tsdump.cjs is missing, or any file under src/ or package.json / tsconfig*.json was
// modified after the older of the two (a `git pull` or an edit does that; make works the same way).
// `npm run build` always rebuilds.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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

const outputs = ['dist/index.js', 'dist/bin/tsdump.cjs'].map((p) => mtime(join(root, p)));
const built = outputs.includes(-1) ? -1 : Math.min(...outputs);
const inputs = Math.max(newest(join(root, 'src')), ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => mtime(join(root, p))));
if (built > inputs) {
  console.log('tsdump: dist/ is up to date (npm run build rebuilds it)');
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(r.status ?? 1);
}
