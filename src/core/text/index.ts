export * from './limits.js';
export * from './mrkdwn.js';
export * from './redact.js';
export * from './suggest.js';
