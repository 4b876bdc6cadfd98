import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { drainJob } from '../../jobs/drain.js';
import { ErrorCode, JobError } from '../../src/core/errors.js';
import type { KubeClients } from '../../src/k8s/kube-clients.js';
import { isCordoned } from '../../src/k8s/node-schedulable.js';
import { findKubectl } from '../support/kubectl.js';
import { drainArgs, startJobFixture, type JobFixture } from './support/fixture.js';

/**
 * Differential test: the real kubectl and sitrep drain the same node of two identical sandboxes
 * with the same flags; both must end in the same cluster (pods per node, node state) or refuse
 * for the same reason.
 */

const run = promisify(execFile);
const kubectl = findKubectl();

async function kubectlDrain(f: JobFixture, cacheDir: string, node: string, flags: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(kubectl!, ['--kubeconfig', f.sandbox.kubeconfigPath, '--cache-dir', cacheDir, 'drain', node, ...flags], { timeout: 60_000 });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Pods as a multiset of `node namespace owner`: generated names differ between the two clusters. */
async function layout(kube: KubeClients): Promise<string[]> {
  const pods = (await kube.core.listPodForAllNamespaces()).items;
  const owner = (p: V1Pod) => {
    const ref = p.metadata?.ownerReferences?.find((o) => o.controller);
    if (!ref) return `Pod/${p.metadata?.name}`;
    return ref.kind === 'StatefulSet' ? `StatefulSet/${p.metadata?.name}` : `${ref.kind}/${ref.name}`;
  };
  return pods.map((p) => `${p.spec?.nodeName ?? '<pending>'} ${p.metadata?.namespace} ${owner(p)}`).sort();
}

let fixtures: JobFixture[] = [];
let cacheDir: string | undefined;
afterEach(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  cacheDir = undefined;
});

async function twins(): Promise<[JobFixture, JobFixture, string]> {
  fixtures = await Promise.all([startJobFixture('maintenance'), startJobFixture('maintenance')]);
  cacheDir = await mkdtemp(join(tmpdir(), 'sitrep-kubectl-cache-'));
  return [fixtures[0]!, fixtures[1]!, cacheDir];
}

describe.skipIf(!kubectl)('drain: sitrep against the real kubectl', () => {
  it('same flags, same end state: pods per node and node02 cordoned', async () => {
    const [k, s, cache] = await twins();
    expect(await layout(k.kube)).toEqual(await layout(s.kube));

    const out = await kubectlDrain(k, cache, 'node02', ['--ignore-daemonsets', '--delete-emptydir-data', '--force']);
    expect(out.ok, out.stderr).toBe(true);
    expect(out.stdout).toMatch(/node\/node02 drained/);

    const ctx = s.ctx('kubectl-twin');
    const args = drainArgs('node02', { ignoreDaemonsets: true, deleteEmptyDirData: true, force: true });
    const result = await drainJob.execute(args, await drainJob.plan(args, ctx), ctx);
    expect(result.ok).toBe(true);

    await Promise.all([k.sandbox.idle(), s.sandbox.idle()]);
    const [kl, sl] = await Promise.all([layout(k.kube), layout(s.kube)]);
    expect(sl).toEqual(kl);
    expect(sl.filter((l) => l.startsWith('node02 ')).every((l) => /DaemonSet\//.test(l))).toBe(true);
    const [kn, sn] = await Promise.all([k.kube.core.readNode({ name: 'node02' }), s.kube.core.readNode({ name: 'node02' })]);
    expect(isCordoned(kn)).toBe(true);
    expect(isCordoned(sn)).toBe(true);
  });

  it('same filter errors, same refusal; sitrep does not even cordon', async () => {
    const [k, s, cache] = await twins();
    const out = await kubectlDrain(k, cache, 'node02', ['--ignore-daemonsets']);
    expect(out.ok).toBe(false);
    expect(out.stderr).toMatch(/cannot delete Pods with local storage \(use --delete-emptydir-data to override\): shop\/cache-\S+/);
    expect(out.stderr).toMatch(/Pods that declare no controller \(use --force to override\): shop\/debug-shell/);

    const ctx = s.ctx('kubectl-refusal');
    const args = drainArgs('node02');
    const plan = await drainJob.plan(args, ctx);
    const kubectlReasons = [...out.stderr.matchAll(/(Pods with local storage|Pods that declare no controller) \(use (--[\w-]+) to override\): ([^,\]\n]+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]!.trim()}`);
    const sitrepReasons = [...plan.refusal!.message.matchAll(/(Pods with local storage|Pods that declare no controller) \(use (--[\w-]+) to override\): ([^;]+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]!.trim()}`);
    expect(new Set(sitrepReasons)).toEqual(new Set(kubectlReasons));
    expect(sitrepReasons).toHaveLength(2);

    const err = await drainJob.execute(args, plan, ctx).catch((e: unknown) => e);
    expect((err as JobError).code).toBe(ErrorCode.DrainRefused);
    // kubectl cordons before filtering; sitrep's rule is that a refused drain touches nothing.
    expect(isCordoned(await k.kube.core.readNode({ name: 'node02' }))).toBe(true);
    expect(isCordoned(await s.kube.core.readNode({ name: 'node02' }))).toBe(false);
    expect(await layout(s.kube)).toEqual(await layout(k.kube));
  });
});
