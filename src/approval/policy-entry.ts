/** Slack user ids: `U…` for people, `W…` for Enterprise Grid org users. */
export const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** Slack user group ids (the `@oncall` handles a workspace admin defines). */
export const USERGROUP_ID = /^S[A-Z0-9]{2,}$/;
/** Group names of the policy file; lowercase first, so they never look like Slack ids. */
export const GROUP_NAME = /^[a-z][a-z0-9_-]*$/;

/** One `allow:` or `approvers:` entry after the file's groups are expanded. */
export type PolicyEntry =
  | { kind: 'anyone' }
  | { kind: 'user'; id: string }
  | { kind: 'usergroup'; id: string }
  | { kind: 'group'; name: string; members: readonly string[] };

/** Classifies one entry; undefined when it is neither `*`, an id, nor a known group. */
export function classifyEntry(text: string, groups: Readonly<Record<string, readonly string[]>>): PolicyEntry | undefined {
  if (text === '*') return { kind: 'anyone' };
  if (Object.hasOwn(groups, text)) return { kind: 'group', name: text, members: groups[text] };
  if (USER_ID.test(text)) return { kind: 'user', id: text };
  if (USERGROUP_ID.test(text)) return { kind: 'usergroup', id: text };
  return undefined;
}

/** `@oncall`, `<@U012ALICE>`, `<!subteam^S0ONCALL>`, `anyone`. */
export function entryLabel(entry: PolicyEntry): string {
  switch (entry.kind) {
    case 'anyone':
      return 'anyone';
    case 'group':
      return `@${entry.name}`;
    case 'user':
      return `<@${entry.id}>`;
    case 'usergroup':
      return `<!subteam^${entry.id}>`;
  }
}

/** Entry labels joined for a sentence: `@oncall or @leads`. */
export function entriesLabel(entries: readonly PolicyEntry[]): string {
  if (entries.some((e) => e.kind === 'anyone')) return 'anyone';
  const labels = entries.map(entryLabel);
  if (labels.length <= 1) return labels[0] ?? 'nobody';
  return `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}
