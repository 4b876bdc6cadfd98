import { FlagType, type FlagSpec } from './flags.js';

/** Flags every /k8s verb takes. The parser reads them; verbs never see them in their args. */
export const COMMON_K8S_FLAGS: readonly FlagSpec[] = [
  { name: 'namespace', short: 'n', type: FlagType.Value, valueName: 'NS', description: 'namespace to act in (default: `default`)' },
  { name: 'cluster', type: FlagType.Value, valueName: 'NAME', description: 'cluster to act on (default: the channel\'s or the configured default)' },
];

/** `-h` / `--help` after any verb shows that verb's help. */
export const HELP_FLAGS = new Set(['--help', '-h']);
