import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { waitForApproval, waitForUpdate } from '../support/cards.js';
import { ALICE, BOB, startStack, type Stack } from '../support/stack.js';

/**
 * docs/operations.md tells operators to give sitrep a Redis ACL user limited to its prefix. The
 * rules are read from that page, so the page and this test cannot disagree: bot and worker run
 * as that user through a whole approved drain, and the user cannot touch keys outside the prefix.
 */
const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
const rules = /`user sitrep on >PASSWORD ([^`]+)`/.exec(doc)?.[1];

let stack: Stack;
beforeAll(async () => {
  expect(rules, 'docs/operations.md names the ACL rules').toBeTruthy();
  stack = await startStack({ scenario: 'maintenance', redisAclRules: rules!.replaceAll('sitrep:', '{prefix}:') });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the Redis ACL docs/operations.md recommends', () => {
  it('is enough for a whole approved drain, bot and worker connected as that user', async () => {
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const { card, approvalId } = await waitForApproval(stack, /drain node02/);
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    const done = await waitForUpdate(stack, card.ts, /Done|Failed/, 60_000);
    expect(done.text).toMatch(/^Done/);
  });

  it('keeps that user out of every key outside its prefix, and off FLUSHALL and CONFIG', async () => {
    const asSitrep = new Redis(stack.redisUrl, { maxRetriesPerRequest: 0 });
    try {
      await expect(asSitrep.get(`${stack.prefix}:anything`)).resolves.toBeNull();
      await expect(asSitrep.get('other-app:session')).rejects.toThrow(/NOPERM/);
      await expect(asSitrep.flushall()).rejects.toThrow(/NOPERM/);
      await expect(asSitrep.call('CONFIG', 'GET', 'maxmemory')).rejects.toThrow(/NOPERM/);
    } finally {
      asSitrep.disconnect();
    }
  });
});
