import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/start-sandbox.js';
import type { KObject } from '../../src/sandbox/store.js';
import { findKubectl } from '../support/kubectl.js';
import { waitFor } from './api-fixture.js';

// The real kubectl against the sandbox. execFile (async), never execSync: the sandbox serves from
// this very process and must keep running while kubectl waits for it.
const kubectl = findKubectl();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let sandbox: Sandbox;
let cacheDir: string;

function run(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(kubectl!, ['--kubeconfig', sandbox.kubeconfigPath, '--cache-dir', cacheDir, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await run(...args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function podsOn(node: string): KObject[] {
  return sandbox.store.list('pods').items.filter((p) => p.spec?.nodeName === node);
}

function livePods(namespace: string, app: string): KObject[] {
  return sandbox.store.list('pods', namespace).items.filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);
}

function isRunningReady(p: KObject): boolean {
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

describe.skipIf(!kubectl)('kubectl against the sandbox', () => {
  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'sitrep-kubectl-cache-'));
  });
  afterAll(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
  });
  afterEach(async () => {
    await sandbox?.close();
  });

  it('get nodes and get pods -A -o wide print the real columns', async () => {
    const nodes = await ok('get', 'nodes');
    expect(nodes.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(nodes).toMatch(/\ncp01\s+Ready\s+control-plane\s+\S+\s+v1\.33\.1/);
    expect(nodes).toMatch(/\nnode02\s+Ready\s+<none>/);

    const pods = await ok('get', 'pods', '-A', '-o', 'wide');
    const [header, ...rows] = pods.trimEnd().split('\n');
    expect(header).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(rows).toHaveLength(sandbox.store.count('pods'));
    expect(pods).toMatch(/\nshop\s+debug-shell\s+1\/1\s+Running\s+0\s+\S+\s+[\d.]+\s+node02\s+<none>\s+<none>/);
  });

  it('cordon and uncordon show and clear SchedulingDisabled', async () => {
    expect(await ok('cordon', 'node02')).toContain('node/node02 cordoned');
    expect(await ok('get', 'node', 'node02')).toMatch(/node02\s+Ready,SchedulingDisabled/);
    expect(sandbox.store.mustGet('nodes', undefined, 'node02').spec.unschedulable).toBe(true);
    expect(await ok('uncordon', 'node02')).toContain('node/node02 uncordoned');
    expect(await ok('get', 'node', 'node02')).toMatch(/node02\s+Ready\s/);
  });

  it('drain node02 finishes and leaves only DaemonSet and mirror pods', async () => {
    sandbox.resetRequests();
    const r = await run('drain', 'node02', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=60s');
    expect(r.stderr + r.stdout).toContain('node/node02 drained');
    expect(r.code).toBe(0);
    const left = podsOn('node02');
    expect(left.length).toBeGreaterThan(0);
    for (const p of left) {
      const daemon = p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet');
      const mirror = p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
      expect(daemon || mirror, `${p.metadata.namespace}/${p.metadata.name} is still on node02`).toBe(true);
    }
    expect(sandbox.requests().byVerb['create pods/eviction']).toBeGreaterThan(0);
    // The evicted web pod came back elsewhere, so its PDB is whole again.
    await waitFor('three web pods running', () => livePods('shop', 'web').filter(isRunningReady).length === 3);
  });

  it('drain blocked by a PDB reports the 429 and gives up at --timeout', async () => {
    sandbox.store.create('policy/poddisruptionbudgets', { metadata: { name: 'cache', namespace: 'shop' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'cache' } } } });
    await sandbox.idle();
    const r = await run('drain', 'node02', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=5s');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(r.stderr).toMatch(/error when evicting pods\/"cache-[a-z0-9-]+" -n "shop"/);
    expect(livePods('shop', 'cache').some((p) => p.spec?.nodeName === 'node02')).toBe(true);
  });

  it('rollout restart replaces every pod of the deployment', async () => {
    const before = new Set(livePods('shop', 'web').map((p) => p.metadata.uid));
    expect(await ok('rollout', 'restart', 'deployment/web', '-n', 'shop')).toContain('deployment.apps/web restarted');
    const after = await waitFor('web rolled', () => {
      const now = livePods('shop', 'web');
      return now.length === 3 && now.every((p) => !before.has(p.metadata.uid) && isRunningReady(p)) ? now : undefined;
    }, 30_000);
    expect(after.map((p) => p.metadata.name).some((n) => [...before].includes(n))).toBe(false);
  });

  it('scale changes the pod count', async () => {
    expect(await ok('scale', 'deployment/cart', '-n', 'shop', '--replicas=4')).toContain('deployment.apps/cart scaled');
    await waitFor('four cart pods running', () => livePods('shop', 'cart').filter(isRunningReady).length === 4);
    await ok('scale', 'deployment/cart', '-n', 'shop', '--replicas=1');
    await waitFor('one cart pod left', () => sandbox.store.list('pods', 'shop').items.filter((p) => p.metadata.labels?.app === 'cart').length === 1);
  });

  it('create (protobuf bodies) and apply -f (JSON, server-side field validation) make working objects', async () => {
    expect(await ok('create', 'namespace', 'team-x')).toContain('namespace/team-x created');
    expect(await ok('create', 'deployment', 'hello', '--image=nginx:1.27', '--replicas=2', '--port=80', '-n', 'team-x')).toContain('deployment.apps/hello created');
    expect(await ok('create', 'pdb', 'hello', '--selector=app=hello', '--min-available=1', '-n', 'team-x')).toContain('poddisruptionbudget.policy/hello created');
    const d = sandbox.store.mustGet('apps/deployments', 'team-x', 'hello');
    expect(d.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'hello' } }, strategy: { type: 'RollingUpdate' } });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    expect(sandbox.store.mustGet('policy/poddisruptionbudgets', 'team-x', 'hello').spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: { app: 'hello' } } });
    await waitFor('hello pods running', () => livePods('team-x', 'hello').filter(isRunningReady).length === 2);

    const manifest = join(cacheDir, 'applied.json');
    const doc = (replicas: number) => JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'applied', namespace: 'team-x' },
      spec: { replicas, selector: { matchLabels: { app: 'applied' } }, template: { metadata: { labels: { app: 'applied' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
    });
    writeFileSync(manifest, doc(1));
    expect(await ok('apply', '-f', manifest)).toContain('deployment.apps/applied created');
    writeFileSync(manifest, doc(3));
    expect(await ok('apply', '-f', manifest)).toContain('deployment.apps/applied configured');
    await waitFor('three applied pods running', () => livePods('team-x', 'applied').filter(isRunningReady).length === 3);
  });

  it('delete --force --grace-period=0 removes the pod at once', async () => {
    const r = await run('delete', 'pod', 'debug-shell', '-n', 'shop', '--force', '--grace-period=0');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pod "debug-shell" force deleted');
    expect(sandbox.store.get('pods', 'shop', 'debug-shell')).toBeUndefined();
  });
});
