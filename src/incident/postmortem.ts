import { toSafeJson } from '../core/text/json.js';
import { buildPostmortem } from './postmortem-model.js';
import { postmortemMarkdown } from './postmortem-markdown.js';
import type { PostmortemInput } from './postmortem-types.js';

export type PostmortemFormat = 'md' | 'json';

/**
 * The postmortem as a file's content: Markdown for people, JSON (the same structure the Markdown
 * is rendered from) for tools. Deterministic: the same incident and events give the same bytes.
 * @throws BadArgsError for an unknown time zone.
 */
export function renderPostmortem(input: PostmortemInput & { format: PostmortemFormat }): string {
  const pm = buildPostmortem(input);
  return input.format === 'json' ? `${toSafeJson(pm, 2)}\n` : postmortemMarkdown(pm);
}
