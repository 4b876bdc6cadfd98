/**
 * The sandbox's `large` scenario (default 20 nodes x 100 pods = 2,000 pods) as kubectl and
 * client-node see it: start-up time of startSandbox (seed, controllers settle, listen), then the
 * median wall time of RUNS `kubectl get pods -A` (a real kubectl process, discovery cached) and of
 * RUNS client-node listPodForAllNamespaces calls. Targets: start < 5 s, `kubectl get pods -A` < 1 s.
 *
 *   npx tsx bench/sandbox-large.ts [nodes] [podsPerNode]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSandbox } from '../src/sandbox/start-sandbox.js';

const nodes = Number(process.argv[2] ?? 20);
const podsPerNode = Number(process.argv[3] ?? 100);
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // Async on purpose: the sandbox serves from this process.
  return new Promise((resolve) => {
    execFile('kubectl', args, { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const t0 = performance.now();
const sandbox = await startSandbox({ scenario: 'large', params: { nodes, podsPerNode }, timeScale: 0.02 });
const startMs = performance.now() - t0;
const pods = sandbox.store.count('pods');
console.log(`large scenario: ${nodes} nodes, ${pods} pods`);
console.log(`start-up (seed + settle + listen): ${ms(startMs)}`);

const cacheDir = mkdtempSync(join(tmpdir(), 'sitrep-bench-kubectl-'));
try {
  const base = ['--kubeconfig', sandbox.kubeconfigPath, '--cache-dir', cacheDir];
  const warm = await kubectl([...base, 'get', 'pods', '-A']);
  if (warm.code !== 0) {
    console.log(`kubectl: not run (${warm.stderr.split('\n')[0] || 'kubectl failed'})`);
  } else {
    const rows = warm.stdout.trimEnd().split('\n').length - 1;
    const times: number[] = [];
    sandbox.resetRequests();
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = await kubectl([...base, 'get', 'pods', '-A']);
      times.push(performance.now() - t);
      if (r.code !== 0) throw new Error(`kubectl get pods -A failed: ${r.stderr}`);
    }
    console.log(`kubectl get pods -A (${rows} rows): median ${ms(median(times))} of ${RUNS} (process start included)`);
    console.log(`  API requests for ${RUNS} runs: ${JSON.stringify(sandbox.requests())}`);
  }

  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  const api = kc.makeApiClient(CoreV1Api);
  await api.listPodForAllNamespaces();
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    count = (await api.listPodForAllNamespaces()).items.length;
    times.push(performance.now() - t);
  }
  console.log(`client-node listPodForAllNamespaces (${count} pods): median ${ms(median(times))} of ${RUNS}`);

  const server: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await sandbox.request('GET', '/api/v1/pods?limit=500', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    server.push(performance.now() - t);
  }
  console.log(`server only, one Table page of 500 (what kubectl asks first): median ${ms(median(server))} of ${RUNS}`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
  await sandbox.close();
}
