import { BadArgsError, GetResource, getVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { kindWords, noMore, resolveKind, ResourceKind, typeName } from '../resource.js';
import { suggest } from '../../src/core/text/suggest.js';
import { checkName, selectorValue, show } from '../values.js';

const BY_KIND: Partial<Record<ResourceKind, GetResource>> = {
  node: GetResource.Nodes,
  pod: GetResource.Pods,
  deployment: GetResource.Deployments,
  poddisruptionbudget: GetResource.PodDisruptionBudgets,
  event: GetResource.Events,
};

const KINDS = Object.keys(BY_KIND) as ResourceKind[];

/** What `get` lists, for messages. */
const LISTS = 'nodes, pods, deployments, pdb (PodDisruptionBudgets) and events';

export const get = defineCommand(getVerb, {
  aliases: [],
  summary: 'List nodes, pods, deployments, PDBs or events.',
  usage: '/k8s get nodes|pods|deployments|pdb|events [-n NS | -A] [--node NODE] [-l SELECTOR]',
  details: [
    '`-n NS` one namespace (default `default`), `-A` all namespaces.',
    '`--node NODE` pods on that node, in every namespace unless `-n` is given.',
    '`-l SELECTOR` label selector, e.g. `-l app=web` or `-l \'env in (prod,staging)\'`.',
  ].join('\n'),
  examples: ['/k8s get nodes', '/k8s get pods -n shop -l app=web', '/k8s get pods --node node02', '/k8s get pdb -A', '/k8s get events -n shop'],
  flags: [
    { name: 'all-namespaces', short: 'A', type: FlagType.Boolean, description: 'every namespace' },
    { name: 'node', type: FlagType.Value, valueName: 'NODE', description: 'only pods on this node' },
    { name: 'selector', short: 'l', type: FlagType.Value, valueName: 'SELECTOR', description: 'label selector, e.g. app=web' },
  ],
  build({ positionals, flags }) {
    const first = positionals[0];
    if (!first) throw new BadArgsError(`get needs a resource: ${LISTS}.`);
    const word = first.value;
    if (word.includes('/')) {
      throw new BadArgsError(`get lists a whole type; for one object use \`/k8s describe ${word.split('/')[0]} ${word.split('/').slice(1).join('/')}\`.`);
    }
    const kind = first.kind === 'text' ? resolveKind(word) : undefined;
    const resource = kind === undefined ? undefined : BY_KIND[kind];
    if (resource === undefined) {
      const other = first.kind === 'text' ? typeName(word) : undefined;
      if (other !== undefined) throw new BadArgsError(`Not supported: get ${other}. sitrep lists ${LISTS}.`);
      const guess = suggest(word, ['nodes', 'pods', 'deployments', 'pdb', 'events', ...kindWords(KINDS)]);
      throw new BadArgsError(`get cannot list ${show(word)}: it lists ${LISTS}.${guess ? ` Did you mean \`${guess}\`?` : ''}`);
    }
    if (positionals.length > 1 && (resource === GetResource.Nodes || resource === GetResource.Pods)) {
      throw new BadArgsError(`get lists a whole type; for one ${kind} use \`/k8s describe ${kind} ${positionals[1]!.display}\`.`);
    }
    noMore('get', positionals.slice(1), 'one resource type');
    const nodeRaw = flags.text('node');
    if (nodeRaw !== undefined && resource !== GetResource.Pods) {
      throw new BadArgsError('--node works only with `get pods`.');
    }
    if (flags.bool('all-namespaces', false) && flags.has('namespace')) {
      throw new BadArgsError('-A and -n together: pick one (all namespaces, or one).');
    }
    const node = nodeRaw === undefined ? undefined : checkName('node', nodeRaw);
    const selectorRaw = flags.text('selector');
    const namespaced = resource !== GetResource.Nodes;
    const allNamespaces = namespaced && (flags.bool('all-namespaces', false) || (node !== undefined && !flags.has('namespace')));
    return {
      resource,
      allNamespaces,
      ...(node === undefined ? {} : { node }),
      ...(selectorRaw === undefined ? {} : { selector: selectorValue('-l', selectorRaw) }),
    };
  },
});
