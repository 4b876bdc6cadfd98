import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { defineVerb, VerbRunner } from './contract.js';
import { DEFAULT_NAMESPACE, labelName, namespaceArg, objectName } from './names.js';

/** Most lines `--tail` may ask for. */
export const MAX_TAIL = 10_000;
/** Lines read when `--tail` is not given. */
export const DEFAULT_TAIL = 500;

/**
 * `/k8s logs POD [-c C] [--tail N] [--previous]`: a pod's log.
 * - `container`: from `-c`; unset means the pod's only (or default) container.
 * - `tail`: last N lines, 1 to MAX_TAIL; default DEFAULT_TAIL.
 * - `previous`: the log of the previous, crashed instance (`-p`).
 */
export const LogsArgsSchema = z.object({
  pod: objectName,
  container: labelName.optional(),
  tail: z.number().int().min(1).max(MAX_TAIL).default(DEFAULT_TAIL),
  previous: z.boolean().default(false),
  namespace: namespaceArg,
});
export type LogsArgs = z.output<typeof LogsArgsSchema>;

export const logsVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'logs',
  risk: Risk.Read,
  runner: VerbRunner.Read,
  args: LogsArgsSchema,
  namespaceOf: (a) => a.namespace ?? DEFAULT_NAMESPACE,
});
