import { SlashCommand } from '../src/core/index.js';
import type { CommandSpec } from './command-spec.js';
import { commander } from './incident/commander.js';
import { incidentHelp } from './incident/help.js';
import { list } from './incident/list.js';
import { note } from './incident/note.js';
import { postmortem } from './incident/postmortem.js';
import { resolve } from './incident/resolve.js';
import { sev } from './incident/sev.js';
import { start } from './incident/start.js';
import { incidentStatus } from './incident/status.js';
import { timeline } from './incident/timeline.js';
import { audit } from './k8s/audit.js';
import { cordon } from './k8s/cordon.js';
import { deletePod } from './k8s/delete.js';
import { describe } from './k8s/describe.js';
import { drain } from './k8s/drain.js';
import { fence } from './k8s/fence.js';
import { get } from './k8s/get.js';
import { k8sHelp } from './k8s/help.js';
import { jobs } from './k8s/jobs.js';
import { logs } from './k8s/logs.js';
import { restart } from './k8s/restart.js';
import { runbook } from './k8s/runbook.js';
import { scale } from './k8s/scale.js';
import { status } from './k8s/status.js';
import { top } from './k8s/top.js';
import { uncordon } from './k8s/uncordon.js';
import { unfence } from './k8s/unfence.js';

/**
 * Every chat verb, one line each, in the order help lists them. Adding a verb: one file in
 * commands/k8s or commands/incident, one line here, one job in jobs/.
 */
export const COMMANDS: readonly CommandSpec[] = [
  get,
  describe,
  logs,
  top,
  cordon,
  uncordon,
  drain,
  restart,
  scale,
  deletePod,
  fence,
  unfence,
  runbook,
  jobs,
  status,
  audit,
  k8sHelp,
  start,
  note,
  sev,
  commander,
  incidentStatus,
  resolve,
  timeline,
  postmortem,
  list,
  incidentHelp,
];

/** `/k8s`, `k8s`, `/K8S` → `/k8s`; undefined for anything else. */
export function normalizeCommand(command: string): SlashCommand | undefined {
  const c = command.trim().toLowerCase();
  const bare = c.startsWith('/') ? c.slice(1) : c;
  if (bare === 'k8s') return SlashCommand.K8s;
  if (bare === 'incident') return SlashCommand.Incident;
  return undefined;
}

/** The spec for a verb or one of its aliases (case-insensitive), or undefined. */
export function findCommand(command: SlashCommand | string, verb: string): CommandSpec | undefined {
  const cmd = normalizeCommand(command);
  const v = verb.toLowerCase();
  return COMMANDS.find((s) => s.command === cmd && (s.verb === v || s.aliases.includes(v)));
}

/** The verbs of one slash command, in help order. */
export function commandsOf(command: SlashCommand): CommandSpec[] {
  return COMMANDS.filter((s) => s.command === command);
}
