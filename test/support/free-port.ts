export { freePort } from '../../src/demo/redis-server.js';
