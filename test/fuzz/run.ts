/**
 * The fuzz campaigns' command line (test/fuzz/campaigns.ts and, for the campaigns against
 * tcpdump, the kernel and signals, test/fuzz/oracles.ts do the work):
 *
 *   npm run fuzz -- [--campaign NAME] [--seconds N] [--seed S] [--max N] [--report]
 *
 * Runs every campaign (or the one named) for N seconds each (default 20) from seed S (default
 * 12), prints one summary line per campaign, and with --report the table the README's
 * reliability section shows (inputs, distinct errors, crashes, hangs, escapes, mismatches, the
 * seed and this command) plus each finding with the index that rebuilds it. Exits 1 when any
 * crash, hang, escape or mismatch was found.
 */
import { CAMPAIGNS, formatReport } from './campaigns.ts';
import type { CampaignOptions, CampaignResult } from './campaigns.ts';
import { ORACLE_CAMPAIGNS } from './oracles.ts';

const ALL: Record<string, (o: CampaignOptions) => CampaignResult | Promise<CampaignResult>> = { ...CAMPAIGNS, ...ORACLE_CAMPAIGNS };

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const names = opt('--campaign') ? [opt('--campaign')!] : Object.keys(ALL);
for (const n of names) {
  if (!ALL[n]) {
    console.error(`fuzz: unknown campaign ${n} (campaigns: ${Object.keys(ALL).join(', ')})`);
    process.exit(2);
  }
}
const seconds = Number(opt('--seconds') ?? 20);
const seed = Number(opt('--seed') ?? 12);
const max = opt('--max') === undefined ? undefined : Number(opt('--max'));
const results: CampaignResult[] = [];
for (const n of names) {
  const r = await ALL[n]!({ seed, ms: seconds * 1000, max });
  results.push(r);
  console.log(`${n}: ${r.note ? `${r.note}; ` : ''}${r.inputs} inputs, ${r.accepted} accepted, ${r.errors.size} distinct errors, ${r.crashes} crashes, ${r.hangs} hangs, ${r.escapes} escapes, ${r.mismatches} mismatches (${(r.ms / 1000).toFixed(1)} s)`);
}
if (args.includes('--report')) console.log(`\n${formatReport(results, `npm run fuzz -- ${args.join(' ')}`.trim())}`);
process.exit(results.some((r) => r.crashes + r.hangs + r.escapes + r.mismatches > 0) ? 1 : 0);
