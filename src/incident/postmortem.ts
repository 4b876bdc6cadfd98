import { toSafeJson } from '../core/text/json.js';
import { buildPostmortem } from './postmortem-model.js';
import { postmortemMarkdown } from './postmortem-markdown.js';
import type { Postmortem, PostmortemInput } from './postmortem-types.js';

export type PostmortemFormat = 'md' | 'json';

/**
 * The postmortem as a file's content: Markdown for people, JSON (the same structure the Markdown
 * is rendered from) for tools. Deterministic: the same incident and events give the same bytes.
 * @throws BadArgsError for an unknown time zone.
 */
export function renderPostmortem(input: PostmortemInput & { format: PostmortemFormat; chart?: string }): string {
  return postmortemFile(buildPostmortem(input), input.format, input.chart);
}

/** The file's content for an already built postmortem; `chart` names the PNG the Markdown shows. */
export function postmortemFile(pm: Postmortem, format: PostmortemFormat, chart?: string): string {
  return format === 'json' ? `${toSafeJson(pm, 2)}\n` : postmortemMarkdown(pm, chart ? { chart } : {});
}
