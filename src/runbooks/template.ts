/**
 * `{{param}}` placeholders in a runbook's texts. Values are checked against their parameter's
 * type before they are put in (an object name cannot hold a space or start with `-`), so a value
 * can never add a flag or a second word to a step's command.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_-]*)\s*\}\}/g;

/** The parameter names a text refers to, in order, and any `{{` or `}}` that is not a placeholder. */
export function placeholders(text: string): { names: string[]; malformed: boolean } {
  const names = [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const rest = text.replace(PLACEHOLDER, '');
  return { names, malformed: rest.includes('{{') || rest.includes('}}') || names.includes('') };
}

/** The text with each placeholder replaced by its value (every name must have one). */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
}
