import { createHash, randomBytes } from 'node:crypto';

/** A deterministic id from its parts: the same Slack delivery always yields the same id. */
export function stableId(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 16);
  return `${prefix}_${digest}`;
}

/** A random, unguessable id (e.g. for approval requests referenced from buttons). */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
