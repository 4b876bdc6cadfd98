import type { Table } from './job.js';

/** A table as fixed-width text, the way kubectl prints it. Used for messages and file snippets. */
export function tableText(table: Table): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? (c ?? '') : (c ?? '').padEnd(widths[i]))).join('   ').trimEnd();
  return [line(table.columns), ...table.rows.map(line)].join('\n');
}
