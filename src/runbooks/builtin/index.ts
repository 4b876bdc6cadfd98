import { NODE_MAINTENANCE_YAML } from './node-maintenance.js';
import { NODE_REPLACE_YAML } from './node-replace.js';

/** A runbook that ships with sitrep: its name and its file's text. */
export interface BuiltInRunbook {
  name: string;
  yaml: string;
}

/** The built-ins, one line each; a file in SITREP_RUNBOOKS with the same name replaces one. */
export const BUILT_IN_RUNBOOKS: readonly BuiltInRunbook[] = [
  { name: 'node-maintenance', yaml: NODE_MAINTENANCE_YAML },
  { name: 'node-replace', yaml: NODE_REPLACE_YAML },
];
