/**
 * Text from the cluster (pod logs, events, describe output) shown in Slack as a code block.
 * Escaped so a logged `<!channel>` pings no one and a logged link is not a link, and with triple
 * backticks broken so the text cannot close the block and format the rest of the message.
 */
export function codeBlock(text: string): string {
  const safe = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/```/g, '`\u200b`\u200b`');
  return '```\n' + safe + '\n```';
}
