/** The chaos suite's result table, as plain text a README can quote. */
import { median } from '../bench/support.js';

export interface FaultResult {
  title: string;
  checks: string;
  passed: number;
  /** Trials run (a trial the global deadline left out is not counted). */
  ran: number;
  /** Trials asked for. */
  asked: number;
  /** Each trial's wall time, ms. */
  times: number[];
  /** Why trials failed, one line each (`#3: …`). */
  failures: string[];
}

const seconds = (ms: number) => (Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** `fault | trials passed/total | what "passed" checks | median trial time`, as a Markdown table. */
export function formatTable(results: FaultResult[]): string {
  const rows = results.map((r) => [r.title, `${r.passed}/${r.ran}${r.ran < r.asked ? ` (${r.asked - r.ran} not run: deadline)` : ''}`, r.checks, seconds(median(r.times))]);
  const head = ['fault', 'trials passed/total', 'what "passed" checks', 'median trial time'];
  const lines = [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  const why = results.flatMap((r) => r.failures.map((f) => `- ${r.title} ${f}`));
  return [...lines, ...(why.length ? ['', 'Failed trials:', ...why] : [])].join('\n');
}
