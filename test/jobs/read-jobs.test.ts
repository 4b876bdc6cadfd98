import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argsFor } from '../../src/core/verbs/contract.js';
import type { ReadJob } from '../../jobs/job-context.js';
import { READ_JOBS } from '../../jobs/registry.js';
import { readJobsRetryingUntilStopped } from '../../src/worker/job-retry-scope.js';
import { createKubeClients, loadKubeConfig } from '../../src/k8s/kube-clients.js';
import { eventually } from '../support/eventually.js';
import { capturedLogger } from '../support/outputs.js';
import { startJobFixture, type JobFixture } from './support/fixture.js';

let fx: JobFixture;
beforeAll(async () => {
  fx = await startJobFixture('maintenance');
});
afterAll(async () => {
  await fx?.close();
});

const run = (verb: keyof typeof READ_JOBS, args: Record<string, unknown>) => {
  const job: ReadJob = READ_JOBS[verb];
  return job.run(argsFor(job.verb, args), fx.ctx(`read-${verb}-${Math.random()}`));
};

describe('read-only jobs against the sandbox', () => {
  it('get pods in a namespace and across all namespaces (with the NAMESPACE column)', async () => {
    const shop = await run('get', { resource: 'pods', namespace: 'shop', allNamespaces: false });
    expect(shop.table!.columns[0]).toBe('NAME');
    expect(shop.table!.rows.some((r) => r[0].startsWith('web-'))).toBe(true);
    const all = await run('get', { resource: 'pods', allNamespaces: true });
    expect(all.table!.columns[0]).toBe('NAMESPACE');
    expect(all.table!.rows.some((r) => r[0] === 'kube-system')).toBe(true);
    const onNode = await run('get', { resource: 'pods', allNamespaces: true, node: 'node02' });
    expect(onNode.table!.rows.every((r) => r[6] === 'node02')).toBe(true);
  });

  it('get deployments, pdb and events show the cluster as kubectl would', async () => {
    const deps = await run('get', { resource: 'deployments', namespace: 'shop', allNamespaces: false });
    const web = deps.table!.rows.find((r) => r[0] === 'web')!;
    expect(web[1]).toBe('3/3');
    const pdbs = await run('get', { resource: 'poddisruptionbudgets', namespace: 'shop', allNamespaces: false });
    expect(pdbs.table!.rows.find((r) => r[0] === 'web')).toEqual(expect.arrayContaining(['2', 'N/A', '1']));
    const events = await run('get', { resource: 'events', allNamespaces: true });
    expect(events.table!.columns).toContain('REASON');
  });

  it('describe node and top nodes report requests against allocatable', async () => {
    const node = await run('describe', { kind: 'node', name: 'node02' });
    expect(node.output!.content).toMatch(/Allocatable:/);
    expect(node.output!.content).toMatch(/Requests:\s+cpu/);
    const top = await run('top', { resource: 'nodes' });
    expect(top.table!.rows.map((r) => r[0])).toEqual(expect.arrayContaining(['node01', 'node02', 'node03']));
  });

  it('logs of a pod, with a file when long; a missing pod is a clear not-found', async () => {
    const pods = await run('get', { resource: 'pods', namespace: 'shop', allNamespaces: false });
    const pod = pods.table!.rows[0][0];
    const logs = await run('logs', { pod, namespace: 'shop', tail: 50, previous: false });
    expect(logs.title).toContain(pod);
    await expect(run('describe', { kind: 'pod', name: 'ghost', namespace: 'shop' })).rejects.toThrow(/not found/);
  });

  it('as the worker runs them, a read whose job is stopped gives up at once instead of retrying through the outage', async () => {
    const jobs = readJobsRetryingUntilStopped(READ_JOBS as Record<string, ReadJob>);
    const log = capturedLogger();
    const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: fx.sandbox.kubeconfigPath }), { logger: log.logger });
    const ctx = fx.ctx('read-stopped', { kube });
    fx.sandbox.apiOutage({ durationMs: 4000, mode: 'refuse' });
    const outcome = jobs.get!.run(argsFor(READ_JOBS.get.verb, { resource: 'nodes' }), ctx).catch((e: unknown) => e);
    await eventually(() => log.lines.some((l) => /retrying/.test(l)), { what: 'a retry under way' });
    ctx.abort();
    expect(await outcome).toBeInstanceOf(Error);
    // Settled while the API still refuses: it did not sit out the rest of its retries.
    await expect(fx.sandbox.request('GET', '/version')).rejects.toThrow(/ECONNREFUSED/);
    await eventually(async () => (await fx.sandbox.request('GET', '/version').catch(() => ({ status: 0 }))).status === 200, { what: 'the API back', timeoutMs: 15_000 });
  });
});
