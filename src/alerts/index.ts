export * from './webhook-payload.js';
export * from './route.js';
export * from './suggestions.js';
export * from './decide.js';
export * from './alert-intake.js';
