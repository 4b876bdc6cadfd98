import { IncidentStatus } from '../../core/incident-status.js';
import { incidentStatusVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';
import { changeIncident } from './incident-change.js';
import { resolveIncident } from './incident-resolve.js';

/** `/incident status investigating|identified|monitoring|resolved`; `resolved` resolves the incident. */
export const incidentStatus: BotVerb<typeof incidentStatusVerb> = {
  verb: incidentStatusVerb,
  run({ status }, ctx) {
    if (status === IncidentStatus.Resolved) return resolveIncident(ctx, undefined);
    return changeIncident(ctx, async () => ({ status }), (u) => `Status is now *${u.status}*`);
  },
};
