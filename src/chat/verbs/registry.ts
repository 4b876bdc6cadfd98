import type { BOT_VERBS, BotVerbKey } from '../../core/verbs/index.js';
import { audit } from './audit.js';
import type { BotVerb } from './bot-verb.js';
import { k8sHelp, incidentHelp } from './help.js';
import { incidentCommander } from './incident-commander.js';
import { incidentList } from './incident-list.js';
import { incidentNote } from './incident-note.js';
import { incidentPostmortem } from './incident-postmortem.js';
import { incidentResolve } from './incident-resolve.js';
import { incidentSev } from './incident-sev.js';
import { incidentStart } from './incident-start.js';
import { incidentStatus } from './incident-status.js';
import { incidentTimeline } from './incident-timeline.js';
import { jobs } from './jobs.js';
import { status } from './status.js';

/** Every verb the bot answers itself, one line each, typed by its contract (src/core/verbs BOT_VERBS). */
export const BOT_VERB_HANDLERS: { [K in BotVerbKey]: BotVerb<(typeof BOT_VERBS)[K]> } = {
  '/k8s jobs': jobs,
  '/k8s status': status,
  '/k8s audit': audit,
  '/k8s help': k8sHelp,
  '/incident start': incidentStart,
  '/incident note': incidentNote,
  '/incident sev': incidentSev,
  '/incident commander': incidentCommander,
  '/incident status': incidentStatus,
  '/incident resolve': incidentResolve,
  '/incident timeline': incidentTimeline,
  '/incident postmortem': incidentPostmortem,
  '/incident list': incidentList,
  '/incident help': incidentHelp,
};
