import { BadArgsError } from '../src/core/index.js';
import { ResourceKind } from '../src/core/verbs/resource-kind.js';
import { suggest } from '../src/core/text/suggest.js';
import type { Token } from './tokenize.js';
import { checkName, show } from './values.js';

export { ResourceKind } from '../src/core/verbs/resource-kind.js';

/** Every word kubectl accepts for each kind: singular, plural, short name. */
const WORDS: Record<ResourceKind, readonly string[]> = {
  node: ['node', 'nodes', 'no'],
  pod: ['pod', 'pods', 'po'],
  deployment: ['deployment', 'deployments', 'deploy'],
  statefulset: ['statefulset', 'statefulsets', 'sts'],
  daemonset: ['daemonset', 'daemonsets', 'ds'],
  poddisruptionbudget: ['poddisruptionbudget', 'poddisruptionbudgets', 'pdb', 'pdbs'],
  event: ['event', 'events', 'ev'],
};

/** API group suffixes people copy from kubectl output (`deployment.apps/web`). */
const GROUPS: Partial<Record<ResourceKind, readonly string[]>> = {
  deployment: ['apps'],
  statefulset: ['apps'],
  daemonset: ['apps'],
  poddisruptionbudget: ['policy'],
  event: ['events.k8s.io'],
};

const LOOKUP = new Map<string, ResourceKind>();
for (const [kind, words] of Object.entries(WORDS) as [ResourceKind, readonly string[]][]) {
  for (const w of words) {
    LOOKUP.set(w, kind);
    for (const g of GROUPS[kind] ?? []) {
      LOOKUP.set(`${w}.${g}`, kind);
      LOOKUP.set(`${w}.v1.${g}`, kind);
    }
  }
}

/**
 * Kubernetes types sitrep does not act on, by every word kubectl accepts for them, so a message
 * can name what was asked for ("not services") rather than call a real type unknown.
 */
const OTHER_TYPES: Record<string, readonly string[]> = {
  services: ['service', 'services', 'svc'],
  ingresses: ['ingress', 'ingresses', 'ing'],
  configmaps: ['configmap', 'configmaps', 'cm'],
  secrets: ['secret', 'secrets'],
  namespaces: ['namespace', 'namespaces', 'ns'],
  replicasets: ['replicaset', 'replicasets', 'rs'],
  jobs: ['job', 'jobs'],
  cronjobs: ['cronjob', 'cronjobs', 'cj'],
  persistentvolumeclaims: ['persistentvolumeclaim', 'persistentvolumeclaims', 'pvc'],
  persistentvolumes: ['persistentvolume', 'persistentvolumes', 'pv'],
  endpoints: ['endpoints', 'ep', 'endpointslice', 'endpointslices'],
  serviceaccounts: ['serviceaccount', 'serviceaccounts', 'sa'],
  horizontalpodautoscalers: ['horizontalpodautoscaler', 'horizontalpodautoscalers', 'hpa'],
  networkpolicies: ['networkpolicy', 'networkpolicies', 'netpol'],
  storageclasses: ['storageclass', 'storageclasses', 'sc'],
  customresourcedefinitions: ['customresourcedefinition', 'customresourcedefinitions', 'crd', 'crds'],
};
const OTHER_LOOKUP = new Map(Object.entries(OTHER_TYPES).flatMap(([plural, words]) => words.map((w) => [w, plural] as const)));

/**
 * The plural name of any Kubernetes type a word names (`svc` → `services`, `deploy` →
 * `deployments`), whether or not sitrep acts on it; undefined for a word that names no type.
 */
export function typeName(word: string): string | undefined {
  const w = word.toLowerCase().replace(/\.[a-z0-9.-]*$/, '');
  const kind = resolveKind(word);
  return kind === undefined ? OTHER_LOOKUP.get(w) : plural(kind);
}

/** `deploy`, `Deployments`, `deployment.apps` → `deployment`; undefined for anything else. */
export function resolveKind(word: string): ResourceKind | undefined {
  return word.length > 40 ? undefined : LOOKUP.get(word.toLowerCase());
}

/** The words for some kinds, for did-you-mean. */
export function kindWords(kinds: readonly ResourceKind[]): string[] {
  return kinds.flatMap((k) => WORDS[k]);
}

/** `deployment` → `deployments`, for messages. */
export function plural(kind: ResourceKind): string {
  return WORDS[kind][1]!;
}

export function listKinds(kinds: readonly ResourceKind[]): string {
  const names = kinds.map(plural);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export interface TargetOptions<K extends ResourceKind> {
  verb: string;
  /** Kinds this verb works on. */
  kinds: readonly K[];
  /** When set, a bare NAME means this kind (`drain node02`, `logs web-1`). */
  bareKind?: K;
  /** For "restart needs a deployment, statefulset or daemonset, e.g. deployment/web." */
  missing: string;
}

export interface Target<K extends ResourceKind> {
  kind: K;
  name: string;
  /** Positionals after the target. */
  rest: readonly Token[];
}

/**
 * Reads `TYPE/NAME`, `TYPE NAME` or (with `bareKind`) `NAME` from the front of the positionals,
 * and checks the name as DNS-1123 before anything else looks at it.
 */
export function takeTarget<K extends ResourceKind>(positionals: readonly Token[], opts: TargetOptions<K>): Target<K> {
  const first = positionals[0];
  if (!first) throw new BadArgsError(opts.missing);
  const allowed = (kind: ResourceKind | undefined): kind is K => kind !== undefined && (opts.kinds as readonly ResourceKind[]).includes(kind);
  const notHere = (word: string, kind: ResourceKind | undefined): never => {
    const other = kind === undefined ? typeName(word) : plural(kind);
    if (other !== undefined) throw new BadArgsError(`${opts.verb} works on ${listKinds(opts.kinds)}, not ${other}.`);
    const guess = suggest(word, kindWords(opts.kinds));
    throw new BadArgsError(`Unknown type ${show(word)} for ${opts.verb}.${guess ? ` Did you mean \`${guess}\`?` : ''}`);
  };
  const slash = first.value.indexOf('/');
  if (first.kind === 'text' && slash !== -1) {
    const word = first.value.slice(0, slash);
    const kind = resolveKind(word);
    if (!allowed(kind)) return notHere(word, kind);
    const name = first.value.slice(slash + 1);
    if (name.length === 0) throw new BadArgsError(`${opts.verb} needs a name after ${show(`${word}/`)}.`);
    return { kind, name: checkName(kind, name), rest: positionals.slice(1) };
  }
  const kind = first.kind === 'text' && !first.quoted ? resolveKind(first.value) : undefined;
  if (kind !== undefined) {
    if (!allowed(kind)) {
      // `drain node node02`: a bare-kind verb may still be given its own type word.
      return notHere(first.value, kind);
    }
    const second = positionals[1];
    if (!second) throw new BadArgsError(`${opts.verb} ${kind} needs a ${kind} name.`);
    return { kind, name: checkName(kind, second.kind === 'text' ? second.value : second.display), rest: positionals.slice(2) };
  }
  if (opts.bareKind) {
    const name = first.kind === 'text' ? first.value : first.display;
    return { kind: opts.bareKind, name: checkName(opts.bareKind, name), rest: positionals.slice(1) };
  }
  return notHere(first.value, undefined);
}

/** Refuses positionals left over after a verb took what it needs. */
export function noMore(verb: string, rest: readonly Token[], what: string): void {
  if (rest.length === 0) return;
  const extra = rest.map((t) => t.display).join(' ');
  throw new BadArgsError(`${verb} takes ${what}; unexpected ${show(extra)}.`);
}

/**
 * The one target a verb acts on and nothing after it (`drain node02`, `logs web-1 -c app`):
 * `takeTarget` then `noMore`. `only` says what the verb takes, for the refusal of extra words.
 */
export function takeOnlyTarget<K extends ResourceKind>(positionals: readonly Token[], opts: TargetOptions<K> & { only: string }): Omit<Target<K>, 'rest'> {
  const { kind, name, rest } = takeTarget(positionals, opts);
  noMore(opts.verb, rest, opts.only);
  return { kind, name };
}

/** A verb on one node, named bare or as `node/NAME` (cordon, uncordon, drain, fence, unfence). */
export function takeNode(positionals: readonly Token[], verb: string): string {
  return takeOnlyTarget(positionals, { verb, kinds: [ResourceKind.Node], bareKind: ResourceKind.Node, missing: `${verb} needs a node name.`, only: 'one node' }).name;
}
