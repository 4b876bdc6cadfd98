import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * Prometheus's own `promtool` (Debian's `prometheus` package; `.ci/run` installs it) over sitrep's
 * alert rules. The rules have one source, the PrometheusRules of the prometheus component; the
 * plain rules file promtool reads is extracted from them here, never kept as a copy.
 */

export const RULES_MANIFEST = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes', 'components', 'prometheus', 'prometheus-rule.yaml');

const run = promisify(execFile);

/** Whether promtool runs here; a test that needs it skips, saying why, when it does not. */
export const promtoolVersion: Promise<string | undefined> = run('promtool', ['--version']).then(
  (r) => r.stdout.split('\n')[0],
  () => undefined,
);

export const PROMTOOL_MISSING = 'promtool is not on PATH (apt-get install prometheus; .ci/run does)';

/**
 * True where promtool runs. Elsewhere the test skips, saying why, except under CI (CI=true),
 * where a missing promtool is a broken .ci/run and fails the test.
 */
export async function havePromtool(ctx: { skip: () => void }): Promise<boolean> {
  if (await promtoolVersion) return true;
  if (process.env.CI) throw new Error(`${PROMTOOL_MISSING}, and CI must run the alert rule tests`);
  console.log(`skipped: ${PROMTOOL_MISSING}`);
  ctx.skip();
  return false;
}

export interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: Rule[];
}

/** The rule groups of every PrometheusRule in the manifest, in order. */
export function ruleGroups(): RuleGroup[] {
  return parseAllDocuments(readFileSync(RULES_MANIFEST, 'utf8'))
    .map((d) => d.toJS() as { kind: string; spec: { groups: RuleGroup[] } })
    .filter((o) => o?.kind === 'PrometheusRule')
    .flatMap((o) => o.spec.groups);
}

export function findRule(alert: string): Rule {
  const rule = ruleGroups().flatMap((g) => g.rules).find((r) => r.alert === alert);
  if (!rule) throw new Error(`no alert ${alert} in ${RULES_MANIFEST}`);
  return rule;
}

/** A folder holding `rules.yaml`, the plain Prometheus rules file of the manifest's groups. */
export function writeRulesFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sitrep-rules-'));
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: ruleGroups() }));
  return dir;
}

/** An alert as `promtool test rules` expects it: its labels (the rule's included) and its annotations, expanded. */
export function expectedAlert(alert: string, labels: Record<string, string>): { exp_labels: Record<string, string>; exp_annotations: Record<string, string> } {
  const rule = findRule(alert);
  const all = { ...labels, ...rule.labels };
  const expand = (text: string) => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => all[k] ?? '');
  return { exp_labels: all, exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expand(v)])) };
}

export interface AlertCase {
  /** What the case shows, for failure messages. */
  name: string;
  /** One sample per minute: `series` in Prometheus notation, `values` in promtool's expanding notation (`0x10`, `1 1 0x5`). */
  series: { series: string; values: string }[];
  /** At `at` (e.g. `5m`), exactly these alerts of `alert` fire (none: it is quiet). */
  expect: { at: string; alert: string; firing: ReturnType<typeof expectedAlert>[] }[];
}

/** `promtool test rules` over the manifest's rules: resolves with its output, rejects with it when a case fails. */
export async function promtoolTest(dir: string, cases: AlertCase[]): Promise<string> {
  const tests = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: cases.map((c) => ({
      name: c.name,
      interval: '1m',
      input_series: c.series,
      alert_rule_test: c.expect.map((e) => ({ eval_time: e.at, alertname: e.alert, exp_alerts: e.firing })),
    })),
  };
  const file = join(dir, `tests-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(tests));
  try {
    const r = await run('promtool', ['test', 'rules', file], { cwd: dir });
    return r.stdout + r.stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool test rules failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

export async function promtool(args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('promtool', args, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}
