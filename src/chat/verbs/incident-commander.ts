import { commanderVerb } from '../../core/verbs/index.js';
import type { BotVerb } from './bot-verb.js';
import { changeIncident } from './incident-change.js';
import { resolveUserName } from './incident-support.js';

/** `/incident commander @user`. */
export const incidentCommander: BotVerb<typeof commanderVerb> = {
  verb: commanderVerb,
  run(args, ctx) {
    return changeIncident(ctx, async () => ({ commanderId: args.userId ?? (await resolveUserName(ctx.services, args.userName!)) }), (u) => `<@${u.commanderId}> is now the incident commander`);
  },
};
