import { helpText } from '../../../commands/help.js';
import { incidentHelpVerb, k8sHelpVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';

/** `/k8s help [VERB]`: the generated help (commands/help.ts). */
export const k8sHelp: BotVerb<typeof k8sHelpVerb> = {
  verb: k8sHelpVerb,
  async run({ verb }) {
    return { text: helpText(k8sHelpVerb.command, verb) };
  },
};

/** `/incident help [VERB]`: the same for /incident. */
export const incidentHelp: BotVerb<typeof incidentHelpVerb> = {
  verb: incidentHelpVerb,
  async run({ verb }) {
    return { text: helpText(incidentHelpVerb.command, verb) };
  },
};
