import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';

/**
 * The kubeconfig's `current-context`, read as kubectl finds it: the first file of KUBECONFIG (a
 * path list) that sets one, else ~/.kube/config. Undefined when there is none. Read with the YAML
 * parser rather than client-node, so that the bot, which only needs the name, never loads it.
 */
export function currentContextName(kubeconfig: string | undefined = process.env.KUBECONFIG): string | undefined {
  const files = kubeconfig ? kubeconfig.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  for (const file of files) {
    try {
      const doc = parse(readFileSync(file, 'utf8')) as { 'current-context'?: unknown } | null;
      const name = doc?.['current-context'];
      if (typeof name === 'string' && name) return name;
    } catch {
      // Missing or unreadable: kubectl moves on to the next file too.
    }
  }
  return undefined;
}
