import { BadArgsError, RUNBOOK_NAME, RUNBOOK_PARAM_NAME, runbookVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { show } from '../values.js';

/**
 * `/k8s runbook`: list the runbooks; `/k8s runbook NAME key=value …`: plan the whole procedure,
 * approve it once, run it step by step on one card. The runbook itself checks its values.
 */
export const runbook = defineCommand(runbookVerb, {
  aliases: ['runbooks'],
  summary: 'List runbooks, or plan and run one: a multi-step procedure approved once as one plan.',
  usage: '/k8s runbook [NAME [KEY=VALUE ...]]',
  details: [
    'Without a name: the runbooks this sitrep offers, with their parameters and steps.',
    'With a name: plans every step that can be planned now and shows the whole procedure for approval; the policy treats it as its most dangerous step unless a rule names `runbook.NAME`.',
    'Each step that changes the cluster is planned again just before it runs; if it changed, sitrep stops and asks again. The card has Cancel, which stops at the next step boundary.',
  ].join('\n'),
  examples: ['/k8s runbook', '/k8s runbook node-maintenance node=node02', '/k8s runbook node-replace node=node03'],
  flags: [],
  build({ positionals }) {
    const [first, ...rest] = positionals;
    if (!first) return { params: {} };
    const name = first.value.toLowerCase();
    if (first.quoted || !RUNBOOK_NAME.test(name)) throw new BadArgsError(`Bad runbook name ${show(first.value)}: runbook names are lowercase letters, digits and -. \`/k8s runbook\` lists them.`);
    const params: Record<string, string> = {};
    for (const t of rest) {
      const eq = t.value.indexOf('=');
      const key = eq > 0 ? t.value.slice(0, eq) : '';
      if (!RUNBOOK_PARAM_NAME.test(key)) throw new BadArgsError(`Expected KEY=VALUE after the runbook name, got ${show(t.value)}, e.g. node=node02.`);
      if (key in params) throw new BadArgsError(`${key}= is given twice.`);
      params[key] = t.value.slice(eq + 1);
    }
    return { name, params };
  },
});
