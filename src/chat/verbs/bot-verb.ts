import type { ArgsOf, VerbContract } from '../../core/verbs/contract.js';
import type { BotServices } from '../bot-services.js';

/** Who asked, where, for a bot-side verb. */
export interface BotVerbContext {
  services: BotServices;
  userId: string;
  channelId: string;
  /** Slack's trigger id of the slash command: stable across Slack's retries of one delivery. */
  triggerId?: string;
}

/** A reply from a bot-side verb: posted in the channel, or shown only to the caller. */
export interface BotReply {
  text: string;
  blocks?: unknown[];
  inChannel?: boolean;
}

/**
 * A verb the bot answers itself, from Redis and Slack, never reaching a cluster: `/k8s jobs`,
 * `status`, `audit`, `help` and every `/incident` verb. One file each in src/chat/verbs, typed by
 * its contract in src/core/verbs, listed once in src/chat/verbs/registry.ts.
 */
export interface BotVerb<C extends VerbContract = VerbContract> {
  verb: C;
  run(args: ArgsOf<C>, ctx: BotVerbContext): Promise<BotReply>;
}
