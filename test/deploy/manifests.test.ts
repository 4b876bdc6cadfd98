import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
// The prometheus-operator CRDs' own OpenAPI schemas (monitoring.coreos.com/v1), as kubernetes-models builds them.
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Policy } from '../../src/approval/index.js';
import { loadConfig } from '../../src/config.js';
import { parseDuration } from '../../src/core/duration.js';
import { Metrics } from '../../src/ops/metrics.js';
import { healthRoutes } from '../../src/ops/ops-server.js';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'deploy', 'kubernetes');

// Loose shapes for reading manifests: each object is validated against its schema below.
type K = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

type Model = new (data: any) => { validate(): void };
/** The package a model's module lives in and its group/version path there (`apps/v1`, `v1`). */
const [CORE, OPERATOR] = ['kubernetes-models', '@kubernetes-models/prometheus-operator'];
const models: [Model, string, string][] = [
  [Namespace, CORE, 'v1'], [ServiceAccount, CORE, 'v1'], [ConfigMap, CORE, 'v1'], [Secret, CORE, 'v1'], [Service, CORE, 'v1'],
  [Deployment, CORE, 'apps/v1'], [StatefulSet, CORE, 'apps/v1'],
  [ClusterRole, CORE, 'rbac.authorization.k8s.io/v1'], [ClusterRoleBinding, CORE, 'rbac.authorization.k8s.io/v1'],
  [NetworkPolicy, CORE, 'networking.k8s.io/v1'], [PodDisruptionBudget, CORE, 'policy/v1'],
  [ServiceMonitor, OPERATOR, 'monitoring.coreos.com/v1'], [PrometheusRule, OPERATOR, 'monitoring.coreos.com/v1'],
];
/** Kind -> the kubernetes-models class (AJV over the Kubernetes OpenAPI schema) and its interface module. */
const MODELS: Record<string, { model: Model; module: string; iface: string }> = Object.fromEntries(
  models.map(([model, pkg, gv]) => [model.name, { model, module: `${pkg}/${gv}/${model.name}`, iface: `I${model.name}` }]),
);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

function yamlFiles(d: string): string[] {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

function parseYaml(text: string, source: string): any[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS();
  }).filter((o) => o !== null && o !== undefined);
}

/** Every manifest file's objects, by file (kustomization files are not objects). */
const files = new Map<string, K[]>();
for (const file of yamlFiles(dir)) {
  if (/kustomization\.ya?ml$/.test(file)) continue;
  files.set(relative(dir, file), parseYaml(readFileSync(file, 'utf8'), file));
}
const all = [...files.values()].flat();
const of = (kind: string) => all.filter((o) => o.kind === kind);
const named = (kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name);
const deployment = (name: string) => named('Deployment', name)!;

/**
 * Fields the schema does not know, at any depth. kubernetes-models' validators accept unknown
 * fields (as the OpenAPI schemas do), and the API server would silently drop them: a misspelt
 * `readOnlyRootFileSystem` would leave the root filesystem writable. The TypeScript interfaces
 * kubernetes-models ships are the same schema, so the type checker can say which keys exist.
 */
let checkerOnce: ((obj: K) => string[]) | undefined;
function unknownFieldChecker(): (obj: K) => string[] {
  checkerOnce ??= buildUnknownFieldChecker();
  return checkerOnce;
}

function buildUnknownFieldChecker(): (obj: K) => string[] {
  const kinds = Object.entries(MODELS);
  const path = join(root, 'test', 'deploy', '__manifest_types__.ts');
  const source = kinds.map(([kind, m]) => `import type { ${m.iface} } from '${m.module}';\nexport declare const ${kind}: ${m.iface};`).join('\n');
  const options: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, skipLibCheck: true, noEmit: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === path ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === path || fileExists(name);
  const program = ts.createProgram([path], options, host);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(path)!;
  const typeOf = new Map<string, ts.Type>();
  for (const sym of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) typeOf.set(sym.name, checker.getTypeOfSymbol(sym));

  const walk = (value: unknown, type: ts.Type, at: string, out: string[]) => {
    const t = checker.getNonNullableType(type);
    if (Array.isArray(value)) {
      const elem = checker.isArrayType(t) ? checker.getTypeArguments(t as ts.TypeReference)[0] : undefined;
      if (elem) value.forEach((v, i) => walk(v, elem, `${at}[${i}]`, out));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const members = t.isUnion() ? t.types : [t];
    for (const [key, v] of Object.entries(value)) {
      const prop = members.map((m) => checker.getPropertyOfType(m, key)).find(Boolean);
      if (prop) {
        walk(v, checker.getTypeOfSymbol(prop), `${at}.${key}`, out);
        continue;
      }
      const index = members.map((m) => checker.getIndexTypeOfType(m, ts.IndexKind.String)).find(Boolean);
      if (index) walk(v, index, `${at}.${key}`, out);
      else out.push(`${at}.${key}`);
    }
  };
  return (obj) => {
    const type = typeOf.get(obj.kind);
    if (!type) return [`${obj.kind}: no schema type`];
    const out: string[] = [];
    walk(obj, type, `${obj.kind}/${obj.metadata?.name}`, out);
    return out;
  };
}


/** Whether a selector's labels are all on `labels`. */
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

/** Every Secret, ConfigMap and key a pod of `objects` refers to that `objects` lacks. */
function referenceProblems(objects: K[]): string[] {
  const problems: string[] = [];
  const keysOf = (kind: 'Secret' | 'ConfigMap', name: string) => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    return o ? new Set(Object.keys({ ...(o.data ?? {}), ...(o.stringData ?? {}) })) : undefined;
  };
  for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const spec = w.spec.template.spec;
    for (const v of spec.volumes ?? []) {
      if (v.configMap && !keysOf('ConfigMap', v.configMap.name)) problems.push(`${w.metadata.name}: volume ConfigMap ${v.configMap.name}`);
      if (v.secret && !keysOf('Secret', v.secret.secretName)) problems.push(`${w.metadata.name}: volume Secret ${v.secret.secretName}`);
    }
    for (const p of spec.imagePullSecrets ?? []) if (!keysOf('Secret', p.name)) problems.push(`${w.metadata.name}: imagePullSecret ${p.name}`);
    for (const c of spec.containers) {
      for (const f of c.envFrom ?? []) {
        if (f.configMapRef && !keysOf('ConfigMap', f.configMapRef.name)) problems.push(`${c.name}: envFrom ConfigMap ${f.configMapRef.name}`);
        if (f.secretRef && !keysOf('Secret', f.secretRef.name)) problems.push(`${c.name}: envFrom Secret ${f.secretRef.name}`);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
        if (!ref) continue;
        const keys = keysOf(e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name);
        if (!keys) problems.push(`${c.name}: ${e.name} from missing ${ref.name}`);
        else if (!keys.has(ref.key)) problems.push(`${c.name}: ${e.name} from ${ref.name} lacks key ${ref.key}`);
      }
    }
  }
  return problems;
}

/** Schema errors and unknown fields of each object. */
function schemaProblems(objects: K[]): string[] {
  const unknown = unknownFieldChecker();
  const problems: string[] = [];
  for (const obj of objects) {
    const m = MODELS[obj.kind];
    if (!m) {
      problems.push(`${obj.kind}/${obj.metadata?.name}: kind not expected here`);
      continue;
    }
    try {
      new m.model(obj).validate();
    } catch (err) {
      problems.push(`${obj.kind}/${obj.metadata.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    problems.push(...unknown(obj));
  }
  return problems;
}

const run = promisify(execFile);
const hasKubectl = run('kubectl', ['version', '--client']).then(() => true, () => false);

/** `kubectl kustomize DIR`: the objects it renders. */
async function kustomize(d: string): Promise<K[]> {
  return parseYaml((await run('kubectl', ['kustomize', d], { maxBuffer: 10 << 20 })).stdout, d) as K[];
}

const ids = (objs: K[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('Kubernetes manifests', () => {
  it('every object is valid against the Kubernetes schema, with no unknown fields', () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
    expect(schemaProblems(all)).toEqual([]);
  });

  it('the unknown-field check and the schema check catch mistakes', () => {
    const unknown = unknownFieldChecker();
    const bot = structuredClone(deployment('sitrep-bot'));
    bot.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    bot.spec.replica = 3;
    expect(unknown(bot).sort()).toEqual(['Deployment/sitrep-bot.spec.replica', 'Deployment/sitrep-bot.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem']);
    const broken = structuredClone(deployment('sitrep-worker'));
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken).validate()).toThrow();
    // The same for the prometheus-operator kinds, checked against their CRDs' schemas.
    const monitor = structuredClone(named('ServiceMonitor', 'sitrep-worker')!);
    monitor.spec.endpoints[0].scrapeTimout = '10s';
    expect(unknown(monitor)).toEqual(['ServiceMonitor/sitrep-worker.spec.endpoints[0].scrapeTimout']);
    const rule = structuredClone(named('PrometheusRule', 'sitrep-bot')!);
    delete rule.spec.groups[0].rules[0].expr;
    expect(() => new MODELS.PrometheusRule!.model(rule).validate()).toThrow(/expr/);
  });

  it('kustomize renders the same objects, all in the sitrep namespace', async (ctx) => {
    if (!(await hasKubectl)) {
      console.log('skipped: kubectl is not on PATH, so `kubectl kustomize` cannot run here');
      ctx.skip();
      return;
    }
    const main = await kustomize(dir);
    const expected = ['namespace.yaml', 'rbac.yaml', 'config.yaml', 'bot.yaml', 'worker.yaml'].flatMap((f) => files.get(f)!);
    expect(ids(main)).toEqual(ids(expected));
    const redis = await kustomize(join(dir, 'redis'));
    expect(ids(redis)).toEqual(ids(files.get(join('redis', 'redis.yaml'))!));
    for (const o of [...main, ...redis]) {
      if (!CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('sitrep');
      new MODELS[o.kind].model(o).validate();
    }
    // Real secrets are created by hand; applying the kustomization must never overwrite them.
    expect(ids(main).filter((id) => id.startsWith('Secret/'))).toEqual([]);
  });

  it('plain manifests name their namespace, and it exists', () => {
    expect(named('Namespace', 'sitrep')).toBeDefined();
    for (const o of all) if (!CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('sitrep');
  });

  it('the worker runs as a ServiceAccount that exists and is bound; the bot has none mounted', () => {
    const worker = deployment('sitrep-worker').spec.template.spec;
    const sa = named('ServiceAccount', worker.serviceAccountName);
    expect(sa).toBeDefined();
    const binding = of('ClusterRoleBinding').find((b) => b.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === sa!.metadata.name && s.namespace === sa!.metadata.namespace));
    expect(binding).toBeDefined();
    expect(named('ClusterRole', binding!.roleRef.name)).toBeDefined();
    const bot = deployment('sitrep-bot').spec.template.spec;
    expect(bot.automountServiceAccountToken).toBe(false);
    expect(named('ServiceAccount', bot.serviceAccountName)?.automountServiceAccountToken).toBe(false);
  });

  it('every Secret, ConfigMap and key a pod refers to exists (Secrets in secrets.example.yaml)', () => {
    const problems = referenceProblems(all);
    expect(problems).toEqual([]);
    // Templates only: no value in the example Secrets looks like a real token.
    for (const s of of('Secret')) for (const v of Object.values<string>(s.stringData ?? {})) expect(v).toMatch(/REPLACE-ME|^redis:\/\/sitrep-redis:6379$/);
  });

  it('the configuration the pods get is one sitrep accepts, with the policy file where SITREP_POLICY points', () => {
    const config = named('ConfigMap', 'sitrep-config')!.data as Record<string, string>;
    const secrets = Object.assign({}, ...of('Secret').map((s) => s.stringData)) as Record<string, string>;
    expect(() => loadConfig({ ...config, ...secrets }, 'bot')).not.toThrow();
    expect(() => loadConfig({ ...config, REDIS_URL: secrets.REDIS_URL, SITREP_JOB_KEY: secrets.SITREP_JOB_KEY }, 'worker')).not.toThrow();
    const bot = deployment('sitrep-bot').spec.template.spec;
    const mount = bot.containers[0].volumeMounts.find((m: any) => config.SITREP_POLICY.startsWith(`${m.mountPath}/`));
    expect(mount, 'a volume mounted where SITREP_POLICY points').toBeDefined();
    const volume = bot.volumes.find((v: any) => v.name === mount.name);
    const policyMap = named('ConfigMap', volume.configMap.name)!;
    const file = config.SITREP_POLICY.slice(mount.mountPath.length + 1);
    expect(Object.keys(policyMap.data)).toContain(file);
    expect(() => Policy.fromText(policyMap.data[file], 'sitrep-policy')).not.toThrow();
    // The worker's --cluster comes from a variable its environment defines.
    const worker = deployment('sitrep-worker').spec.template.spec.containers[0];
    const i = worker.args.indexOf('--cluster');
    expect(worker.args[0]).toBe('worker');
    const ref = /^\$\(([A-Z_]+)\)$/.exec(worker.args[i + 1])?.[1];
    expect(ref && config[ref]).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(worker.envFrom.map((f: any) => f.configMapRef?.name)).toContain('sitrep-config');
    // Jobs hand themselves back before the kubelet's SIGKILL.
    const grace = deployment('sitrep-worker').spec.template.spec.terminationGracePeriodSeconds;
    expect(grace * 1000).toBeGreaterThan(parseDuration(config.SITREP_SHUTDOWN_TIMEOUT)!);
  });

  it('the Service selects the bot pods only, and probes ask for paths on ports that are served', () => {
    const served = healthRoutes([], [new Metrics({ processMetrics: false }).route()]).map((r) => r.path);
    expect(served).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
    const config = named('ConfigMap', 'sitrep-config')!.data as Record<string, string>;
    const svc = named('Service', 'sitrep-bot')!;
    const matches = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels?.[k] === v);
    expect(matches(svc.spec.selector, deployment('sitrep-bot').spec.template.metadata.labels)).toBe(true);
    expect(matches(svc.spec.selector, deployment('sitrep-worker').spec.template.metadata.labels)).toBe(false);
    const botPorts = deployment('sitrep-bot').spec.template.spec.containers[0].ports;
    const target = botPorts.find((p: any) => p.name === svc.spec.ports[0].targetPort || p.containerPort === svc.spec.ports[0].targetPort);
    expect(target?.containerPort).toBe(Number(config.PORT));
    expect(svc.spec.ports[0].port).toBe(3000);
    for (const [name, port] of [['sitrep-bot', Number(config.PORT)], ['sitrep-worker', Number(config.SITREP_OPS_PORT)]] as const) {
      const d = deployment(name);
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      const c = d.spec.template.spec.containers[0];
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const get = c[probe]?.httpGet;
        expect(get, `${name} ${probe}`).toBeDefined();
        expect(served).toContain(get.path);
        const p = c.ports.find((x: any) => x.name === get.port || x.containerPort === get.port);
        expect(p?.containerPort, `${name} ${probe} port`).toBe(port);
      }
      expect(c.livenessProbe.httpGet.path).toBe('/healthz'); // never restart a pod because Redis is down
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      expect(d.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(port));
    }
  });

  it('every pod runs as non-root with a read-only root, no privileges, and bounded resources', () => {
    for (const w of [...of('Deployment'), ...of('StatefulSet')]) {
      const spec = w.spec.template.spec;
      expect(spec.securityContext.runAsNonRoot, w.metadata.name).toBe(true);
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.securityContext.seccompProfile.type).toBe('RuntimeDefault');
      for (const c of spec.containers) {
        expect(c.securityContext, `${w.metadata.name}/${c.name}`).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.securityContext.capabilities.add).toBeUndefined();
        for (const k of ['cpu', 'memory']) {
          expect(c.resources.requests[k], `${c.name} requests.${k}`).toBeDefined();
          expect(c.resources.limits[k], `${c.name} limits.${k}`).toBeDefined();
        }
        expect(c.image).toMatch(/^[^:@]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
        expect(c.image).not.toMatch(/:latest$/);
      }
    }
  });

  it('the optional Redis persists with AOF and never evicts', () => {
    const redis = of('StatefulSet').find((s) => s.metadata.name === 'sitrep-redis')!;
    const args: string[] = redis.spec.template.spec.containers[0].args;
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('--appendonly')).toBe('yes');
    expect(value('--maxmemory-policy')).toBe('noeviction');
    expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe(redis.spec.template.spec.containers[0].volumeMounts[0].name);
    const svc = named('Service', 'sitrep-redis')!;
    expect(Object.entries(svc.spec.selector).every(([k, v]) => redis.spec.template.metadata.labels[k] === v)).toBe(true);
    // The example REDIS_URL points at this Service.
    expect(named('Secret', 'sitrep-redis')!.stringData.REDIS_URL).toBe(`redis://${svc.metadata.name}:${svc.spec.ports[0].port}`);
  });
});

/**
 * The components a team switches on (deploy/kubernetes/components), built with the real `kubectl
 * kustomize` in every combination, for a full install and for a worker-only one, each rendered
 * object validated and its references followed. Each combination is a kustomization in a temporary
 * folder that names the base and the components by relative path, as a team's own overlay would.
 */
describe('kustomize components', () => {
  const componentsDir = join(dir, 'components');
  const FEATURES = ['network-policy', 'high-availability', 'prometheus', 'image-pull-secret', 'large-cluster'];
  const WORKER_ONLY = 'worker-only';
  const exampleSecrets = files.get('secrets.example.yaml')!;
  const base = files.get('namespace.yaml')!.concat(...['rbac.yaml', 'config.yaml', 'bot.yaml', 'worker.yaml'].map((f) => files.get(f)!));
  const isBot = (o: K) => o.metadata.labels?.['app.kubernetes.io/component'] === 'bot';
  const tmp = mkdtempSync(join(tmpdir(), 'sitrep-kustomize-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** The kustomization.yaml of a team's overlay with these components (worker-only last, as its comment says). */
  function overlay(components: string[]): string {
    const d = mkdtempSync(join(tmp, 'overlay-'));
    const rel = (p: string) => relative(d, p).replaceAll('\\', '/');
    const text = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', `  - ${rel(dir)}`, ...(components.length ? ['components:', ...components.map((c) => `  - ${rel(join(componentsDir, c))}`)] : [])].join('\n');
    writeFileSync(join(d, 'kustomization.yaml'), `${text}\n`);
    return d;
  }

  const subsets = <T,>(xs: T[]): T[][] => xs.reduce<T[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);

  /** Runs `f` over `items`, `limit` at a time (kubectl kustomize mostly waits, so more than the cores). */
  async function pool<T, R>(items: T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
    const out: R[] = new Array(items.length);
    let next = 0;
    await Promise.all(Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }));
    return out;
  }

  /** What must hold of any rendered install, whatever is switched on. */
  function problemsOf(objects: K[], workerOnly: boolean): string[] {
    const problems = schemaProblems(objects);
    const pods = objects.filter((o) => o.kind === 'Deployment');
    const where = (o: K) => `${o.kind}/${o.metadata.name}`;
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind) && o.metadata.namespace !== 'sitrep') problems.push(`${where(o)}: namespace ${o.metadata.namespace}`);
    problems.push(...referenceProblems([...objects, ...exampleSecrets]));
    // The same image everywhere: the base's `images:` override, for the worker-only install too.
    for (const d of pods) for (const c of d.spec.template.spec.containers) if (c.image !== expectedImage) problems.push(`${where(d)}: image ${c.image}, not ${expectedImage}`);
    if (workerOnly && objects.some(isBot)) problems.push(`worker-only keeps ${objects.filter(isBot).map(where).join(', ')}`);
    if (!pods.some((d) => d.metadata.name === 'sitrep-worker')) problems.push('no worker');
    // Every selector selects something that is there, and named ports exist where they point.
    const podsSelected = (sel: Record<string, string>) => pods.filter((d) => selects(sel, d.spec.template.metadata.labels));
    const containerPorts = (ds: K[]) => new Set(ds.flatMap((d) => d.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).flatMap((p: any) => [p.name, p.containerPort]))));
    for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
      const selected = podsSelected(np.spec.podSelector.matchLabels);
      if (!selected.length) problems.push(`${where(np)} selects no pod`);
      const ports = containerPorts(selected);
      for (const rule of np.spec.ingress ?? []) if (!rule.ports.some((p: any) => ports.has(p.port))) problems.push(`${where(np)}: ingress to ports none of its pods has`);
    }
    for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
      const selected = podsSelected(pdb.spec.selector.matchLabels);
      if (selected.length !== 1 || pdb.spec.minAvailable >= selected[0]!.spec.replicas) problems.push(`${where(pdb)}: must leave a voluntary disruption possible`);
    }
    const services = objects.filter((o) => o.kind === 'Service');
    for (const svc of services) {
      const selected = podsSelected(svc.spec.selector);
      const ports = containerPorts(selected);
      if (!selected.length || svc.spec.ports.some((p: any) => !ports.has(p.targetPort))) problems.push(`${where(svc)}: selects no pod with its target ports`);
    }
    for (const sm of objects.filter((o) => o.kind === 'ServiceMonitor')) {
      const svc = services.filter((x) => selects(sm.spec.selector.matchLabels, x.metadata.labels) && sm.spec.namespaceSelector.matchNames.includes(x.metadata.namespace));
      if (svc.length !== 1) problems.push(`${where(sm)}: selects ${svc.length} Services`);
      for (const e of sm.spec.endpoints) if (!svc[0]?.spec.ports.some((p: any) => p.name === e.port)) problems.push(`${where(sm)}: no Service port ${e.port}`);
    }
    return problems;
  }

  const image = (() => {
    const k = parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'), 'kustomization.yaml')[0] as { images: { name: string; newName?: string; newTag: string }[] };
    return k.images[0]!;
  })();
  const expectedImage = `${image.newName ?? image.name}:${image.newTag}`;

  it('each component is a kustomize Component whose objects are labelled for their role', () => {
    const found = readdirSync(componentsDir).sort();
    expect(found).toEqual([...FEATURES, WORKER_ONLY].sort());
    for (const c of found) {
      const k = parseYaml(readFileSync(join(componentsDir, c, 'kustomization.yaml'), 'utf8'), c)[0] as { kind: string };
      expect(k.kind, c).toBe('Component');
    }
    // worker-only drops by the component label: every object of the bot's must carry it.
    for (const o of all.filter((x) => /sitrep-bot|sitrep-policy/.test(x.metadata.name))) expect(isBot(o), `${o.kind}/${o.metadata.name}`).toBe(true);
  });

  it('every combination of components builds, validates against the schemas, and refers only to what exists; worker-only drops the bot and keeps the image', async (ctx) => {
    if (!(await hasKubectl)) {
      console.log('skipped: kubectl is not on PATH, so `kubectl kustomize` cannot run here');
      ctx.skip();
      return;
    }
    const combos = subsets(FEATURES).flatMap((s) => [s, [...s, WORKER_ONLY]]);
    expect(combos).toHaveLength(64);
    const results = await pool(combos, 8, async (combo) => {
      const objects = await kustomize(overlay(combo)).catch((err: Error) => err);
      if (objects instanceof Error) return { combo, problems: [`kubectl kustomize failed: ${objects.message}`], objects: [] as K[] };
      return { combo, problems: problemsOf(objects, combo.includes(WORKER_ONLY)), objects };
    });
    expect(results.filter((r) => r.problems.length).map((r) => `[${r.combo.join(' ')}]\n  ${r.problems.join('\n  ')}`)).toEqual([]);
    // Each component adds what it says, and nothing else changes what the base renders.
    const rendered = (combo: string[]) => results.find((r) => r.combo.join() === combo.join())!.objects;
    const none = rendered([]);
    expect(ids(none)).toEqual(ids(base));
    const every = rendered(FEATURES);
    const componentObjects = FEATURES.flatMap((c) => readdirSync(join(componentsDir, c)).filter((f) => f !== 'kustomization.yaml').flatMap((f) => files.get(join('components', c, f))!));
    expect(ids(every)).toEqual(ids([...base, ...componentObjects]));
    const workerOnly = rendered([...FEATURES, WORKER_ONLY]);
    expect(ids(workerOnly)).toEqual(ids([...base, ...componentObjects].filter((o) => !isBot(o))));
  }, 120_000);

  it('what the components switch on: the bot spread and budgeted, NetworkPolicies to the right peers, the worker sized up, pods pulling with the secret', async (ctx) => {
    if (!(await hasKubectl)) {
      console.log('skipped: kubectl is not on PATH, so `kubectl kustomize` cannot run here');
      ctx.skip();
      return;
    }
    const objects = await kustomize(overlay(FEATURES));
    const get = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
    const bot = get('Deployment', 'sitrep-bot').spec.template.spec;
    const worker = get('Deployment', 'sitrep-worker').spec.template.spec;
    expect(bot.topologySpreadConstraints.map((t: any) => [t.topologyKey, t.whenUnsatisfiable])).toEqual([['kubernetes.io/hostname', 'DoNotSchedule'], ['topology.kubernetes.io/zone', 'ScheduleAnyway']]);
    for (const t of bot.topologySpreadConstraints) expect(selects(t.labelSelector.matchLabels, get('Deployment', 'sitrep-bot').spec.template.metadata.labels)).toBe(true);
    expect(get('PodDisruptionBudget', 'sitrep-bot').spec).toMatchObject({ minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(worker.topologySpreadConstraints).toBeUndefined();
    expect(worker.containers[0].resources.limits.memory).toBe('1536Mi');
    for (const spec of [bot, worker]) expect(spec.imagePullSecrets).toEqual([{ name: 'sitrep-image-pull' }]);

    // The bot: in from the ingress controller only; out to DNS and HTTPS on public addresses, never to the API server.
    const botNp = get('NetworkPolicy', 'sitrep-bot').spec;
    expect(botNp.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(botNp.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(botNp.egress.map((e: any) => e.ports.map((p: any) => `${p.protocol}/${p.port}`))).toEqual([['UDP/53', 'TCP/53'], ['TCP/443']]);
    expect(botNp.egress[1].to[0].ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']));
    // Alertmanager (kube-prometheus-stack's, in monitoring) may post alerts to the bot's HTTP port, and reach nothing else.
    const alertNp = get('NetworkPolicy', 'sitrep-alertmanager').spec;
    expect(alertNp.podSelector.matchLabels).toEqual(botNp.podSelector.matchLabels);
    expect(alertNp.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(bot.containers[0].env.find((e: any) => e.name === 'SITREP_ALERTMANAGER_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'sitrep-alertmanager', key: 'SITREP_ALERTMANAGER_TOKEN', optional: true });
    // The worker: no ingress rule of its own; out to DNS and the API server.
    const workerNp = get('NetworkPolicy', 'sitrep-worker').spec;
    expect(workerNp.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(workerNp.ingress).toBeUndefined();
    expect(workerNp.egress.map((e: any) => e.ports.map((p: any) => `${p.protocol}/${p.port}`))).toEqual([['UDP/53', 'TCP/53'], ['TCP/443', 'TCP/6443']]);
    // Both: out to the Redis the optional manifest runs, on its port; in from Prometheus on the ports /metrics is on.
    const redis = files.get(join('redis', 'redis.yaml'))!.find((o) => o.kind === 'StatefulSet')!;
    const redisNp = get('NetworkPolicy', 'sitrep-redis').spec;
    expect(selects(redisNp.egress[0].to[0].podSelector.matchLabels, redis.spec.template.metadata.labels)).toBe(true);
    expect(redisNp.egress[0].ports).toEqual([{ port: redis.spec.template.spec.containers[0].ports[0].containerPort, protocol: 'TCP' }]);
    const config = get('ConfigMap', 'sitrep-config').data;
    const metricsPorts = get('NetworkPolicy', 'sitrep-metrics').spec.ingress[0].ports.map((p: any) => p.port);
    const portNamed = (spec: any, name: string) => spec.containers[0].ports.find((p: any) => p.name === name)?.containerPort;
    expect(metricsPorts.map((n: string) => portNamed(bot, n) ?? portNamed(worker, n)).sort()).toEqual([Number(config.PORT), Number(config.SITREP_OPS_PORT)].sort());
    // The ServiceMonitors scrape /metrics, which both processes serve.
    const served = healthRoutes([], [new Metrics({ processMetrics: false }).route()]).map((r) => r.path);
    for (const sm of objects.filter((o) => o.kind === 'ServiceMonitor')) for (const e of sm.spec.endpoints) expect(served).toContain(e.path);
  });

  it('the second-cluster example runs only a worker, under its own cluster name, with the same image', async (ctx) => {
    if (!(await hasKubectl)) {
      console.log('skipped: kubectl is not on PATH, so `kubectl kustomize` cannot run here');
      ctx.skip();
      return;
    }
    const objects = await kustomize(join(root, 'deploy', 'overlays', 'second-cluster'));
    expect(problemsOf(objects, true)).toEqual([]);
    expect(ids(objects)).toEqual(ids(base.filter((o) => !isBot(o))));
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'sitrep-config')!.data.SITREP_WORKER_CLUSTER).toBe('staging');
    expect(objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].image).toBe(expectedImage);
  });
});
