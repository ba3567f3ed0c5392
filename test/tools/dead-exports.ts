/**
 * Lists exported values of src/ that no other file uses: `npx tsx test/tools/dead-exports.ts`.
 *
 * Technique: a word-level scan, not a type-checker pass — each `export const|function|class|
 * type|interface|enum NAME` (and each name of an `export { … }` list) of a file under src/ is
 * looked for as a whole word in every other file under src/ and test/. A name found nowhere
 * else is reported (the public API in src/index.ts counts as a use: what it re-exports stays).
 * Word matching can only over-count uses (a local of the same name hides a dead export), so
 * what it reports is dead; it may miss some.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const list = (dir: string): string[] =>
  (readdirSync(join(root, dir), { recursive: true }) as string[]).filter((f) => /\.(ts|mts|mjs)$/.test(f)).map((f) => join(root, dir, f));
const srcFiles = list('src');
const all = [...srcFiles, ...list('test')];
const text = new Map(all.map((f) => [f, readFileSync(f, 'utf8')]));

/** Whole-word occurrences of `name` in a text. */
const count = (t: string, name: string) => t.match(new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'))?.length ?? 0;

/** `local`: the file itself still uses the name (drop `export`); otherwise nothing uses it. */
export function deadExports(): { file: string; name: string; local: boolean }[] {
  const out: { file: string; name: string; local: boolean }[] = [];
  for (const f of srcFiles) {
    const t = text.get(f)!;
    const names = new Set<string>();
    // Values only: an exported type may be needed by a consumer of a signature that uses it.
    for (const m of t.matchAll(/^export (?:declare )?(?:abstract )?(?:async )?(?:const|let|function\*?|class|enum) ([A-Za-z_$][\w$]*)/gm)) names.add(m[1]!);
    for (const name of names) {
      // Used in its own file besides the declaration, or anywhere else: alive.
      let used = false;
      for (const [g, u] of text) {
        if (g === f) continue;
        if (count(u, name) > 0) { used = true; break; }
      }
      if (!used) out.push({ file: relative(root, f), name, local: count(t, name) > 1 });
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const { file, name, local } of deadExports()) console.log(`${file}: ${name}${local ? ' (used in its file)' : ' (unused)'}`);
}
