import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/parse.js';
import { argsFor } from '../../src/core/verbs/contract.js';
import type { OperationJob, ReadJob } from '../../jobs/job-context.js';
import { OPERATION_JOBS, READ_JOBS } from '../../jobs/registry.js';
import { createKubeClients, loadKubeConfig } from '../../src/k8s/kube-clients.js';
import { kubeRequestOf } from '../../src/ops/kube-request.js';
import { RESOURCE_TYPES } from '../../src/sandbox/resources.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { makeJobContext } from '../jobs/support/job-context.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.js';
import { startStack } from '../support/stack.js';

const root = join(import.meta.dirname, '..', '..');

/** `group|resource|verb`, the unit a ClusterRole rule grants. */
type Grant = string;
const grant = (group: string, resource: string, verb: string): Grant => `${group}|${resource}|${verb}`;

/** API group of a resource (or `resource/subresource`: RBAC puts subresources in their parent's group). */
function groupOf(resource: string): string {
  const base = resource.split('/')[0];
  const t = RESOURCE_TYPES.find((r) => r.resource === base);
  if (!t) throw new Error(`sandbox does not know resource ${resource}`);
  return t.group;
}

/** The sandbox counts `verb resource` (`create pods/eviction`, `watch pods`); as RBAC grants. */
function grantsOf(byVerb: Record<string, number>): Set<Grant> {
  const out = new Set<Grant>();
  for (const key of Object.keys(byVerb)) {
    const [verb, resource] = key.split(' ');
    out.add(grant(groupOf(resource), resource, verb));
  }
  return out;
}

/**
 * The commands that exercise each verb: every registered job must have some, so a verb added to
 * jobs/registry.ts without a line here fails this test instead of shipping without RBAC. `{web}`
 * is a running `web` pod in `shop`. Order matters: the cluster carries on from one to the next.
 */
const SAMPLES: Record<string, string[]> = {
  get: ['get nodes', 'get pods -A', 'get pods -n shop -l app=web', 'get pods --node node02', 'get deployments -n shop', 'get deployments -A', 'get pdb -A', 'get pdb -n shop', 'get events -n shop', 'get events -A'],
  describe: ['describe node node02', 'describe pod {web} -n shop'],
  logs: ['logs {web} -n shop --tail 10'],
  top: ['top nodes'],
  cordon: ['cordon node01'],
  uncordon: ['uncordon node01'],
  delete: ['delete pod {web} -n shop', 'delete pod debug-shell -n shop --grace-period 0 --force'],
  drain: ['drain node02 --delete-emptydir-data --force --timeout 60s'],
  restart: ['restart deployment/web -n shop', 'restart sts/postgres -n shop', 'restart ds/node-exporter -n monitoring'],
  scale: ['scale deployment/cart --replicas 3 -n shop', 'scale sts/postgres --replicas 0 -n shop'],
  // On a healthy cluster: refused (node02 heartbeats), and nothing to unfence.
  fence: ['fence node02'],
  unfence: ['unfence node02'],
};

/**
 * More runs, each on a fresh sandbox: the paths a drain or a fence takes depend on the cluster's
 * state. `!reboot NODE` is not a command: the sandbox reboots the node (down, then up in a new boot).
 */
const SCENARIO_RUNS: { scenario: string; commands: string[] }[] = [
  { scenario: 'maintenance', commands: ['drain node02 --delete-emptydir-data --force --disable-eviction --timeout 60s'] },
  { scenario: 'maintenance', commands: ['drain node02 --dry-run=server'] },
  { scenario: 'notready-rwo', commands: ['drain node03 --delete-emptydir-data --force --timeout 3s'] },
  { scenario: 'notready-rwo', commands: ['drain node03 --skip-wait-for-delete-timeout 60 --timeout 3s'] },
  { scenario: 'local-storage', commands: ['drain master01 --delete-emptydir-data --force --timeout 3s'] },
  { scenario: 'memory-pressure', commands: ['drain worker02 --delete-emptydir-data --force --timeout 3s'] },
  // Seed 003: fence the dead node, follow its pods and volumes, then unfence it once it rebooted.
  { scenario: 'notready-rwo', commands: ['fence node03 --timeout 60s', '!reboot node03', 'unfence node03'] },
];

interface Ran {
  text: string;
  ok: boolean;
  detail: string;
}

let redis: TestRedis;
const used = new Set<Grant>();
const ran: Ran[] = [];

async function runCommand(kubeconfigPath: string, text: string, jobId: string): Promise<Ran> {
  const parsed = parseCommand('/k8s', text);
  if (!parsed.ok) throw new Error(`sample "${text}" does not parse: ${parsed.error.message}`);
  const args = parsed.args;
  const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath }));
  const ctx = makeJobContext({ kube, redis: redis.client(), jobId });
  try {
    if (parsed.mode === 'read') {
      const job: ReadJob | undefined = READ_JOBS[parsed.verb as keyof typeof READ_JOBS];
      if (!job) throw new Error(`no read job for ${parsed.verb}`);
      const result = await job.run(argsFor(job.verb, args), ctx);
      return { text, ok: result.ok, detail: result.title };
    }
    const job: OperationJob | undefined = OPERATION_JOBS[parsed.verb as keyof typeof OPERATION_JOBS];
    if (!job) throw new Error(`no operation job for ${parsed.verb}`);
    const plan = await job.plan(argsFor(job.verb, args), ctx);
    if (plan.refusal || plan.actions.length === 0) return { text, ok: true, detail: `plan only: ${plan.summary}` };
    const result = await job.execute(argsFor(job.verb, args), plan, ctx);
    return { text, ok: result.ok, detail: result.title };
  } catch (err) {
    return { text, ok: false, detail: `threw: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function fill(sandbox: Sandbox, text: string): Promise<string> {
  if (!text.includes('{web}')) return text;
  const kc = loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath });
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' });
  const pod = pods.items.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
  if (!pod) throw new Error('no running web pod in shop');
  return text.replaceAll('{web}', pod.metadata!.name!);
}

/** Runs commands on a fresh sandbox and adds what they asked the API server for to `used`. */
async function record(scenario: string, commands: string[]): Promise<void> {
  const sandbox = await startSandbox({ scenario, timeScale: 0.02 });
  // The jobs run as the worker's ServiceAccount under this very ClusterRole: a grant missing
  // from rbac.yaml is a 403 that fails the command here, not only a diff below.
  const workerKubeconfig = await leastPrivilegeKubeconfig(sandbox);
  try {
    for (const [i, raw] of commands.entries()) {
      if (raw.startsWith('!reboot ')) {
        await sandbox.rebootNode(raw.slice('!reboot '.length), { downMs: 200 });
        continue;
      }
      const text = await fill(sandbox, raw);
      sandbox.resetRequests();
      ran.push(await runCommand(workerKubeconfig, text, `rbac-${scenario}-${i}-${Date.now()}`));
      for (const g of grantsOf(sandbox.requests().byVerb)) used.add(g);
    }
  } finally {
    await sandbox.close();
  }
}

/** Every (group, resource, verb) the ClusterRole grants, expanded, with `*` reported as such. */
function clusterRoleGrants(): { grants: Set<Grant>; docs: Record<string, unknown>[] } {
  const docs = parseAllDocuments(readFileSync(join(root, 'deploy', 'kubernetes', 'rbac.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
  const role = docs.find((d) => d.kind === 'ClusterRole') as { rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }[] };
  const grants = new Set<Grant>();
  for (const r of role.rules) {
    for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) grants.add(grant(g, res, v));
  }
  return { grants, docs };
}

/**
 * Client-node methods the jobs and k8s operations reference (`listNamespacedPod`,
 * `patchNamespacedDeploymentScale`, …) and watch paths, as RBAC grants: a second source, so a call
 * on a path the samples above never reach still needs its grant.
 */
function referencedGrants(): Set<Grant> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p);
    }
  };
  walk(join(root, 'jobs'));
  walk(join(root, 'src', 'k8s'));
  const VERB: Record<string, string> = { list: 'list', read: 'get', patch: 'patch', replace: 'update', create: 'create', delete: 'delete', deleteCollection: 'deletecollection' };
  const kinds = [...RESOURCE_TYPES].sort((a, b) => b.kind.length - a.kind.length);
  const out = new Set<Grant>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\.(list|read|patch|replace|create|deleteCollection|delete)(Namespaced)?([A-Z][A-Za-z]*?)(ForAllNamespaces)?\(/g)) {
      const rest = m[3];
      const t = kinds.find((k) => rest.startsWith(k.kind) && (rest === k.kind || k.subresources.some((s) => rest === k.kind + s.name[0].toUpperCase() + s.name.slice(1))));
      if (!t) continue;
      const sub = rest.slice(t.kind.length).toLowerCase();
      out.add(grant(t.group, sub ? `${t.resource}/${sub}` : t.resource, VERB[m[1]]));
    }
    for (const m of text.matchAll(/\.watch\(\s*['"`](\/apis?\/[^'"`]+)['"`]/g)) {
      const r = kubeRequestOf('GET', `${m[1]}?watch=true`);
      out.add(grant(r.group, r.resource, r.verb));
    }
    if (/new Watch\(/.test(text) && !/\.watch\(\s*['"`]\//.test(text)) throw new Error(`${relative(root, file)} watches a path this test cannot read; write it as a literal`);
  }
  return out;
}

beforeAll(async () => {
  redis = await startTestRedis();
  const registered = [...Object.keys(READ_JOBS), ...Object.keys(OPERATION_JOBS)];
  const missing = registered.filter((v) => !SAMPLES[v]?.length);
  if (missing.length) throw new Error(`add sample commands to SAMPLES for: ${missing.join(', ')}`);
  const ordered = Object.entries(SAMPLES).filter(([verb]) => registered.includes(verb)).flatMap(([, cmds]) => cmds);
  await record('maintenance', ordered);
  for (const r of SCENARIO_RUNS) await record(r.scenario, r.commands);
}, 180_000);

afterAll(async () => {
  await redis?.stop();
});

describe('RBAC: the worker ClusterRole grants exactly what the jobs use', () => {
  it('every sample command ran through its job against the sandbox', () => {
    // Commands on the main path must succeed; the extra drains may end not-ok (timeouts on a dead node) but must not throw.
    const mainPath = ran.filter((r) => !SCENARIO_RUNS.some((d) => d.commands.includes(r.text)));
    expect(mainPath.filter((r) => !r.ok)).toEqual([]);
    // The fence of seed 003 finished, and unfence lifted the taint once node03 was back.
    expect(ran.filter((r) => /^(un)?fence node03/.test(r.text)).map((r) => [r.text, r.ok, r.detail])).toEqual([
      ['fence node03 --timeout 60s', true, expect.stringMatching(/^Fenced node03: 3 pods force-deleted, 2 volumes detached/)],
      ['unfence node03', true, 'node03 is back in service'],
    ]);
    expect(ran.filter((r) => r.detail.startsWith('threw'))).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });

  it('the ClusterRole misses nothing the jobs call, and grants nothing they do not', () => {
    const { grants } = clusterRoleGrants();
    const needed = new Set([...used, ...referencedGrants()]);
    const missing = [...needed].filter((g) => !grants.has(g)).sort();
    const unused = [...grants].filter((g) => !needed.has(g)).sort();
    expect({ missing, unused }).toEqual({ missing: [], unused: [] });
  });

  it('has no wildcards, no resourceNames, no non-resource URLs and no secrets', () => {
    const { docs } = clusterRoleGrants();
    const text = JSON.stringify(docs.filter((d) => d.kind === 'ClusterRole'));
    expect(text).not.toContain('"*"');
    expect(text).not.toContain('nonResourceURLs');
    expect(text).not.toContain('secrets');
    expect(text).not.toMatch(/"(escalate|bind|impersonate)"/);
  });

  it('binds the role to the worker ServiceAccount only; the bot gets no Kubernetes access', () => {
    const { docs } = clusterRoleGrants();
    const role = docs.find((d) => d.kind === 'ClusterRole') as { metadata: { name: string } };
    const sa = docs.find((d) => d.kind === 'ServiceAccount') as { metadata: { name: string; namespace: string } };
    const bindings = docs.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding') as { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace?: string }[] }[];
    expect(bindings).toHaveLength(1);
    expect(bindings[0].roleRef).toMatchObject({ kind: 'ClusterRole', name: role.metadata.name, apiGroup: 'rbac.authorization.k8s.io' });
    expect(bindings[0].subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    const bot = parseAllDocuments(readFileSync(join(root, 'deploy', 'kubernetes', 'bot.yaml'), 'utf8')).map((d) => d.toJS()).find((d) => d.kind === 'Deployment');
    expect(bot.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(bot.spec.template.spec.serviceAccountName).not.toBe(sa.metadata.name);
  });

  it('the bot never calls the Kubernetes API: bot-side verbs leave the sandbox untouched', async () => {
    const stack = await startStack({ worker: false });
    try {
      stack.sandbox.resetRequests();
      // Answered by the bot from Redis: status, jobs and audit reply through the response URL.
      for (const text of ['status', 'jobs', 'audit', 'help']) expect((await stack.slash(text)).status).toBe(200);
      await stack.slack.waitFor(() => (stack.slack.calls('response_url').length >= 3 ? true : undefined), { timeoutMs: 10_000 });
      expect(JSON.stringify(stack.slack.calls('response_url'))).toContain('sitrep status');
      expect(stack.sandbox.requests().total).toBe(0);
    } finally {
      await stack.stop();
    }
  });
});
