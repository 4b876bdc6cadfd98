import { z } from 'zod';

/** Which slash command a request came in on. */
export const SlashCommand = { K8s: '/k8s', Incident: '/incident' } as const;
export type SlashCommand = (typeof SlashCommand)[keyof typeof SlashCommand];

/**
 * One thing a person asked sitrep to do, after parsing and validation. It is what the bot stores
 * in Redis and what every later step (plan, approval, execution, timeline) refers back to by id.
 * It never carries secrets: `response_url` is kept apart by the chat layer.
 */
export const CommandRequestSchema = z.object({
  v: z.literal(1),
  /** Stable id derived from the Slack payload, so a retried delivery maps to the same request. */
  id: z.string().min(1),
  command: z.enum([SlashCommand.K8s, SlashCommand.Incident]),
  /** Exactly what the user typed after the slash command. */
  text: z.string(),
  verb: z.string().min(1),
  /** Verb-specific arguments, already validated by the verb's schema in commands/. */
  args: z.record(z.string(), z.unknown()),
  cluster: z.string().min(1),
  /** The namespace the verb acts in, as its contract says; absent for cluster-scoped work. */
  namespace: z.string().optional(),
  userId: z.string().min(1),
  userName: z.string().optional(),
  channelId: z.string().min(1),
  teamId: z.string().optional(),
  /** Milliseconds since the epoch when the bot received it. */
  receivedAt: z.number().int().nonnegative(),
});
export type CommandRequest = z.infer<typeof CommandRequestSchema>;
