import { sevVerb } from '../../core/verbs/index.js';
import type { IncidentSeverity } from '../../incident/index.js';
import type { BotVerb } from './bot-verb.js';
import { changeIncident } from './incident-change.js';

/** `/incident sev N`. */
export const incidentSev: BotVerb<typeof sevVerb> = {
  verb: sevVerb,
  run({ sev }, ctx) {
    return changeIncident(ctx, async () => ({ severity: sev as IncidentSeverity }), (u) => `Severity is now SEV${u.severity}`);
  },
};
