import { parseCommand } from '../../commands/parse.js';
import { JobMode } from '../../commands/command-spec.js';
import { SlashCommand } from '../core/request.js';
import { argsFor, type VerbContract } from '../core/verbs/contract.js';
import { OPERATION_VERBS } from '../core/verbs/index.js';
import { loadRunbooks, type RunbookCatalog, type RunCheck } from '../runbooks/index.js';

/**
 * A runbook's `run:` line read by the same parser as `/k8s` itself, so a step takes exactly the
 * verbs and flags a person could type. A step must change the cluster (reads, bot verbs and
 * runbooks are refused), runs in the runbook's cluster (no `--cluster`) and for real (no `--dry-run`).
 */
export function checkRunbookCommand(text: string): RunCheck {
  const parsed = parseCommand(SlashCommand.K8s, text);
  if (!parsed.ok) return { ok: false, message: `${parsed.error.message}${parsed.error.hint ? ` ${parsed.error.hint}` : ''}` };
  if (parsed.mode !== JobMode.Plan) {
    const what = parsed.mode === JobMode.Read ? 'only reads' : parsed.mode === JobMode.Runbook ? 'is a runbook (runbooks do not nest)' : 'is answered by sitrep itself';
    return { ok: false, message: `\`${parsed.verb}\` ${what}; a step runs a verb that changes the cluster, such as cordon, drain, uncordon, restart or scale.` };
  }
  if (parsed.cluster !== undefined) return { ok: false, message: '--cluster is not allowed in a step: a runbook runs in the cluster it is started for (`/k8s runbook NAME --cluster NAME`).' };
  if (parsed.args.dryRun) return { ok: false, message: '--dry-run is not allowed in a step: the runbook\'s own plan shows what every step would do.' };
  const contract = (OPERATION_VERBS as Record<string, VerbContract>)[parsed.verb];
  const args = contract ? argsFor(contract, parsed.args) : parsed.args;
  const target = contract?.targetOf?.(args);
  return { ok: true, verb: parsed.verb, args: parsed.args, risk: parsed.risk, ...(parsed.namespace ? { namespace: parsed.namespace } : {}), ...(target ? { target } : {}) };
}

/**
 * The runbooks the bot offers: the built-ins and SITREP_RUNBOOKS' files, each step checked with
 * the commands' grammar. Throws ConfigError (`sitrep_runbook_invalid`, `file:line:column: …`).
 */
export function loadRunbookCatalog(dir?: string): RunbookCatalog {
  return loadRunbooks({ ...(dir ? { dir } : {}), checkRun: checkRunbookCommand });
}
