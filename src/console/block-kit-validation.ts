import type { Block, Json } from './slack-objects.js';

/**
 * Block Kit limits Slack enforces on messages. A bot that passes here will not be refused by
 * Slack for these reasons; each problem is reported as Slack words it in
 * `response_metadata.messages`: `[ERROR] <what> [json-pointer:/blocks/0/text/text]`.
 */
export const BlockLimits = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  markdownText: 12000,
  /**
   * Characters of text across all blocks of a message. Slack refuses more with
   * `msg_blocks_too_long`; its docs give no number, and the limit measured in practice moves
   * between 13,172 and 13,297 with the blocks used (slackapi/bolt-js#2509), so the stand-in uses
   * this rounder, lower figure: a bot that passes here passes there.
   */
  messageBlocksText: 12000,
  blockId: 255,
  actionId: 255,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  imageAltText: 2000,
} as const;

const KNOWN_BLOCKS = new Set([
  'section', 'divider', 'header', 'context', 'actions', 'image', 'input', 'rich_text',
  'markdown', 'file', 'video', 'context_actions', 'table',
]);

type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Problems with `blocks`, empty when Slack would accept them. */
export function validateBlocks(blocks: readonly Json[]): string[] {
  const problems: string[] = [];
  const err = (pointer: string, what: string) => problems.push(`[ERROR] ${what} [json-pointer:${pointer}]`);
  if (blocks.length > BlockLimits.blocksPerMessage) {
    err('/blocks', `no more than ${BlockLimits.blocksPerMessage} items allowed`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((raw, i) => {
    const at = `/blocks/${i}`;
    if (!isObject(raw)) return err(at, 'must be an object');
    const block = raw;
    if (typeof block.type !== 'string' || !KNOWN_BLOCKS.has(block.type)) return err(`${at}/type`, `unknown block type: ${String(block.type)}`);
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string' || block.block_id.length > BlockLimits.blockId) err(`${at}/block_id`, `must be less than ${BlockLimits.blockId + 1} characters`);
      else if (blockIds.has(block.block_id)) err(`${at}/block_id`, `duplicate block_id: ${block.block_id}`);
      else blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) err(at, 'must provide either text or fields');
        if (block.text !== undefined) textObject(block.text, `${at}/text`, BlockLimits.sectionText, err);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) err(`${at}/fields`, 'must be an array');
          else {
            if (block.fields.length > BlockLimits.sectionFields) err(`${at}/fields`, `no more than ${BlockLimits.sectionFields} items allowed`);
            block.fields.forEach((f, j) => textObject(f, `${at}/fields/${j}`, BlockLimits.sectionFieldText, err));
          }
        }
        if (block.accessory !== undefined) element(block.accessory, `${at}/accessory`, err);
        break;
      }
      case 'header':
        textObject(block.text, `${at}/text`, BlockLimits.headerText, err, 'plain_text');
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0) err(`${at}/elements`, 'must provide at least one element');
        else if (block.elements.length > BlockLimits.contextElements) err(`${at}/elements`, `no more than ${BlockLimits.contextElements} items allowed`);
        else block.elements.forEach((e, j) => { if (isObject(e) && (e.type === 'mrkdwn' || e.type === 'plain_text')) textObject(e, `${at}/elements/${j}`, BlockLimits.sectionText, err); });
        break;
      case 'actions': {
        if (!Array.isArray(block.elements) || block.elements.length === 0) { err(`${at}/elements`, 'must provide at least one element'); break; }
        if (block.elements.length > BlockLimits.actionsElements) err(`${at}/elements`, `no more than ${BlockLimits.actionsElements} items allowed`);
        const actionIds = new Set<string>();
        block.elements.forEach((e, j) => {
          element(e, `${at}/elements/${j}`, err);
          if (isObject(e) && typeof e.action_id === 'string') {
            if (actionIds.has(e.action_id)) err(`${at}/elements/${j}/action_id`, `duplicate action_id: ${e.action_id}`);
            actionIds.add(e.action_id);
          }
        });
        break;
      }
      case 'markdown':
        if (typeof block.text !== 'string' || block.text.length === 0) err(`${at}/text`, 'must be more than 0 characters');
        else if (block.text.length > BlockLimits.markdownText) err(`${at}/text`, `must be less than ${BlockLimits.markdownText + 1} characters`);
        break;
      case 'image':
        if (typeof block.alt_text !== 'string' || block.alt_text.length === 0) err(`${at}/alt_text`, 'must be more than 0 characters');
        else if (block.alt_text.length > BlockLimits.imageAltText) err(`${at}/alt_text`, `must be less than ${BlockLimits.imageAltText + 1} characters`);
        if (block.image_url === undefined && block.slack_file === undefined) err(at, 'must provide either image_url or slack_file');
        break;
      default:
        break;
    }
  });
  return problems;
}

function textObject(
  v: Json | undefined,
  at: string,
  max: number,
  err: (pointer: string, what: string) => void,
  only?: 'plain_text',
): void {
  if (!isObject(v)) return err(at, 'must be a text object');
  if (v.type !== 'plain_text' && v.type !== 'mrkdwn') return err(`${at}/type`, `must be one of plain_text, mrkdwn`);
  if (only && v.type !== only) return err(`${at}/type`, `must be ${only}`);
  if (typeof v.text !== 'string' || v.text.length === 0) return err(`${at}/text`, 'must be more than 0 characters');
  if (v.text.length > max) err(`${at}/text`, `must be less than ${max + 1} characters`);
}

function element(v: Json | undefined, at: string, err: (pointer: string, what: string) => void): void {
  if (!isObject(v) || typeof v.type !== 'string') return err(at, 'must be an element object');
  if (v.action_id !== undefined && (typeof v.action_id !== 'string' || v.action_id.length > BlockLimits.actionId)) {
    err(`${at}/action_id`, `must be less than ${BlockLimits.actionId + 1} characters`);
  }
  if (v.type === 'button') {
    textObject(v.text, `${at}/text`, BlockLimits.buttonText, err, 'plain_text');
    if (v.value !== undefined && (typeof v.value !== 'string' || v.value.length > BlockLimits.buttonValue)) err(`${at}/value`, `must be less than ${BlockLimits.buttonValue + 1} characters`);
    if (v.url !== undefined && (typeof v.url !== 'string' || v.url.length > BlockLimits.url)) err(`${at}/url`, `must be less than ${BlockLimits.url + 1} characters`);
    if (v.style !== undefined && v.style !== 'primary' && v.style !== 'danger') err(`${at}/style`, 'must be one of primary, danger');
  }
}

/** Characters of text in text objects (`mrkdwn`, `plain_text`) and `markdown` blocks, across every block. */
export function blocksTextLength(blocks: readonly Json[]): number {
  let n = 0;
  const visit = (v: Json | undefined): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObject(v)) return;
    if ((v.type === 'mrkdwn' || v.type === 'plain_text' || v.type === 'markdown') && typeof v.text === 'string') n += v.text.length;
    for (const [k, child] of Object.entries(v)) if (k !== 'text' || typeof child !== 'string') visit(child);
  };
  visit(blocks as Json);
  return n;
}

/** Blocks as Slack stores them: every block gets a `block_id` (Slack generates one if missing). */
export function withBlockIds(blocks: readonly Block[], newId: () => string): Block[] {
  return blocks.map((b) => (typeof b.block_id === 'string' ? structuredClone(b) : { ...structuredClone(b), block_id: newId() }));
}
