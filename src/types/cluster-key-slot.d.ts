/**
 * cluster-key-slot (the hash-slot function ioredis itself uses) ships no types: its one export,
 * as lib/index.js defines it. Redis Cluster's slot of a key, 0-16383 (CRC16 of the key, or of its
 * `{hash tag}`, modulo 16384).
 */
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string | Buffer): number;
}
