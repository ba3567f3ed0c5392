/**
 * What the package tests share: the repository root, a synchronous command runner with a fixed
 * environment (UTC, no update notifier), and why npm-based tests cannot run here (npm missing,
 * registry unreachable) — they skip with that reason, or fail under CI=true.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 1 << 26, env: { ...process.env, TZ: 'UTC', npm_config_update_notifier: 'false' } });
}

/** Why npm-based tests cannot run here (npm or the registry missing), or undefined. */
export function npmSkipReason(): string | undefined {
  const v = sh(npm, ['--version'], repoRoot, 30_000);
  if (v.status !== 0) return 'npm is not available';
  const ping = sh(npm, ['ping'], repoRoot, 60_000);
  if (ping.status !== 0) return `the npm registry is not reachable (npm ping: ${(ping.stderr || ping.error?.message || '').trim().split('\n')[0]})`;
  return undefined;
}
