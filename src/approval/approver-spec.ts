/**
 * Who may approve one request, resolved to Slack user ids when the request is made: `'*'` means
 * anyone except the requester. Stored with the request, so a later change to a group or the
 * policy file does not change who may approve a card already in the channel.
 */
export type ApproverSpec = '*' | string[];

/** Whether `userId` is in the spec. The requester is excluded elsewhere, not here. */
export function specIncludes(spec: ApproverSpec, userId: string): boolean {
  return spec === '*' || spec.includes(userId);
}

/** Slack renders `<@U…>` as the person's name, which is what a tired reader recognises. */
export function mention(userId: string): string {
  return /^S[A-Z0-9]+$/.test(userId) ? `<!subteam^${userId}>` : `<@${userId}>`;
}

/** `<@U1>, <@U2>, <@U3> +4 more`, so a card never fills a screen with names. */
export function mentionList(userIds: readonly string[], max = 6): string {
  const shown = userIds.slice(0, max).map(mention).join(', ');
  return userIds.length > max ? `${shown} +${userIds.length - max} more` : shown;
}
