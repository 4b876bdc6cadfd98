import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { startSandbox } from '../../src/sandbox/start-sandbox.js';
import { findKubectl } from '../support/kubectl.js';
import type { KObject } from '../../src/sandbox/store.js';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';

// Shared by the fidelity-*.test.ts files: each asserts one area of upstream behaviour with the
// real kubectl (and client-node) against the sandbox, naming the upstream file it follows.

/** The real kubectl, or undefined (tests skip with the reason printed once). */
export const kubectl = findKubectl();

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs kubectl against a kubeconfig. execFile (async), never execSync: the sandbox serves from
 * this very process and must keep running while kubectl waits for it.
 */
export function runKubectl(kubeconfig: string, cacheDir: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(kubectl!, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A kubectl bound to one sandbox (and optionally another kubeconfig), with a private cache dir. */
export class Kubectl {
  readonly cacheDir = mkdtempSync(join(tmpdir(), 'sitrep-fidelity-'));

  constructor(private readonly kubeconfig: () => string) {}

  run(...args: string[]): Promise<Run> {
    return runKubectl(this.kubeconfig(), this.cacheDir, args);
  }

  /** kubectl with stdin (`apply -f -`). */
  pipe(input: string, ...args: string[]): Promise<Run> {
    return runKubectl(this.kubeconfig(), this.cacheDir, args, input);
  }

  async ok(...args: string[]): Promise<string> {
    const r = await this.run(...args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** Writes a file in the cache dir (manifests for `apply -f`) and returns its path. */
  file(name: string, text: string): string {
    const p = join(this.cacheDir, name);
    writeFileSync(p, text);
    return p;
  }

  dispose(): void {
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}

export function kubeConfigOf(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export function podsOn(sandbox: Sandbox, node: string): KObject[] {
  return sandbox.store.list('pods').items.filter((p) => p.spec?.nodeName === node);
}

export function condition(obj: KObject | undefined, type: string): { type: string; status: string; reason?: string; message?: string } | undefined {
  return (obj?.status?.conditions as { type: string; status: string; reason?: string; message?: string }[] | undefined)?.find((c) => c.type === type);
}

/** A bare pod bound to a node (skipping the scheduler), as the API fixture's pods are. */
export function boundPod(name: string, namespace: string, node: string, extra: { finalizers?: string[]; labels?: Record<string, string>; grace?: number; spec?: Record<string, unknown>; annotations?: Record<string, string> } = {}): KObject {
  return {
    metadata: { name, namespace, labels: extra.labels ?? { app: name }, ...(extra.finalizers ? { finalizers: extra.finalizers } : {}), ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { nodeName: node, terminationGracePeriodSeconds: extra.grace ?? 30, containers: [{ name: 'app', image: 'nginx:1.27' }], ...(extra.spec ?? {}) },
  };
}

/** A raw request to the sandbox as its admin (trusting its CA), JSON body in and out. */
export async function raw(sandbox: Sandbox, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token?: string): Promise<{ status: number; headers: Headers; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- Kubernetes JSON, asserted field by field
  const r = await sandbox.request(method, path, { body, headers, ...(token !== undefined ? { token } : {}) });
  let parsed: unknown = r.text;
  try {
    parsed = JSON.parse(r.text);
  } catch {
    // not JSON: keep the text
  }
  const h = new Headers();
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
  return { status: r.status, headers: h, body: parsed };
}

/**
 * A fresh sandbox of `scenario` (50x time) for every test of the file, closed after it, and a
 * kubectl bound to it. `set` receives each new sandbox (the file keeps it in its own variable).
 */
export function sandboxPerTest(scenario: string, set: (s: Sandbox) => void): Kubectl {
  let current: Sandbox | undefined;
  const k = new Kubectl(() => current!.kubeconfigPath);
  beforeEach(async () => {
    current = await startSandbox({ scenario, timeScale: 0.02 });
    set(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  afterAll(() => k.dispose());
  return k;
}
