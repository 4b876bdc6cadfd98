import { z } from 'zod';

/**
 * Job payload arguments, re-validated on the worker: jobs/ cannot import commands/ (DESIGN.md),
 * and a worker must never trust what it reads from Redis. Only the fields each job reads.
 */
export const NamespaceArg = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63).optional();
export const NameArg = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/).max(253);
