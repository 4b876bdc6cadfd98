/**
 * The fingerprint of the plan a card showed, carried in its buttons' block_id: Slack sends the
 * block_id back with every click, so the click says which plan the clicker saw, and a click on a
 * card drawn for another plan than the one waiting now is refused (DESIGN.md invariant 3).
 * Written by the renderers, read by the click handler; nowhere else parses a block_id.
 */

const MARK = '|plan:';

/**
 * `base` with the shown plan's fingerprint appended, e.g. `approval:apr_x|plan:1a2b3c4d5e6f7a8b`.
 * Slack allows 255 characters of block_id; ids and 16-hex fingerprints stay far below.
 */
export function blockIdShowing(base: string, fingerprint: string | undefined): string {
  return fingerprint ? `${base}${MARK}${fingerprint}` : base;
}

/** The plan fingerprint a clicked button's block_id carries, or undefined when it carries none. */
export function shownPlanOf(blockId: string | undefined): string | undefined {
  const at = blockId?.lastIndexOf(MARK) ?? -1;
  if (!blockId || at < 0) return undefined;
  return blockId.slice(at + MARK.length) || undefined;
}
