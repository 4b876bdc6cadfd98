// The local Slack console's public surface: the Web API stand-in, the platform simulator that
// sends to the bot, and the request signer. Import from here rather than from single files.
export { type CallRecord, type SlackApiEvents, SlackApiServer, type SlackApiServerOptions, startSlackApiServer } from './slack-api-server.js';
export {
  type BlockActionInput, blockActionPayload, type DeliveryOptions, eventCallbackPayload, type EventOptions, newTriggerId, sendBlockAction,
  sendEvent, sendSlashCommand, sendUrlVerification, type SlackDelivery, type SlashCommandInput, slashCommandPayload,
} from './slack-client-sim.js';
export { type SlackSignatureHeaders, signSlackRequest } from './slack-signature.js';
export { AnyMethod, type Fault } from './fault-injector.js';
export { type ResponseUrlSource, ResponseUrlLimits } from './response-urls.js';
export { type MessageContent, Workspace, type WorkspaceChange, type WorkspaceFile } from './workspace.js';
export { LocalWorkspace, defaultChannels, defaultUsergroups, defaultUsers } from './workspace-defaults.js';
export type { Block, Json, SlackChannel, SlackEphemeral, SlackFileObject, SlackMessage, SlackUser, SlackUsergroup } from './slack-objects.js';
export { BlockLimits } from './block-kit-validation.js';
export { MaxMessageText } from './message-content.js';
export { compareTs } from './message-ts.js';
export type { WaitForOptions } from './wait-for.js';
export { type ConsoleServer, type ConsoleServerOptions, startConsoleServer } from './console-server.js';
export type { ClusterNodeView, ClusterPodView, ClusterSnapshot } from './cluster-snapshot.js';
export { type ConsoleState, type FeedEvent } from './console-feed.js';
export { type ActionOutcome, type BotEndpoint, REGISTERED_COMMANDS, SLACK_ACK_TIMEOUT_MS } from './console-actions.js';
export { visibleText } from './visible-text.js';
