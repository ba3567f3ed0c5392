/**
 * `node:child_process` as the bundled command sees it: the build (package.json `build:bin`)
 * aliases that module to this file, whose functions require the real module on their first call.
 *
 * Why: requiring child_process costs about 10 ms of CPU at start-up (it loads net, streams and
 * more), and commander requires it when it is loaded, only for executable subcommands, which
 * tsdump never declares; the benchmark's spawnSync is the one real user. The real module is
 * reached through createRequire, which the bundler does not follow, so the alias does not apply
 * to it. The sources run by tests and src/cli/bin.mjs import the real module directly;
 * test/cli/startup.test.ts checks that a bundled filter run loads neither.
 */
import type * as ChildProcess from 'node:child_process';
import { createRequire } from 'node:module';

let real: typeof ChildProcess | undefined;
function load(): typeof ChildProcess {
  return (real ??= createRequire(import.meta.url)('node:child_process') as typeof ChildProcess);
}

type Fn = (...args: unknown[]) => unknown;
const forward = <K extends keyof typeof ChildProcess>(name: K): (typeof ChildProcess)[K] =>
  ((...args: unknown[]) => (load()[name] as unknown as Fn)(...args)) as unknown as (typeof ChildProcess)[K];

export const spawn = forward('spawn');
export const spawnSync = forward('spawnSync');
export const exec = forward('exec');
export const execSync = forward('execSync');
export const execFile = forward('execFile');
export const execFileSync = forward('execFileSync');
export const fork = forward('fork');
