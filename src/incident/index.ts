export * from './incident.js';
export * from './incident-store.js';
export * from './timeline.js';
export * from './causal-order.js';
export * from './zoned-time.js';
export * from './postmortem-model.js';
export * from './postmortem.js';
export { shortName, SLOW_FIRST_ACTION_MS } from './review-prompts.js';
export * from './cluster-timeline.js';
