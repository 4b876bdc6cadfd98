import { z } from 'zod';
import { isDns1123Label, isDns1123Subdomain } from '../src/core/index.js';
import { selectorProblem } from './values.js';

/**
 * zod pieces the verbs' args schemas share. The verbs check values with friendlier messages
 * first; these are the contract jobs can re-validate a payload against.
 */

/** Node, pod, deployment, statefulset, daemonset names. */
export const objectName = z.string().refine(isDns1123Subdomain, 'must be a DNS-1123 subdomain');
/** Namespaces and container names. */
export const labelName = z.string().refine(isDns1123Label, 'must be a DNS-1123 label');
export const labelSelector = z.string().refine((s) => selectorProblem(s) === undefined, 'must be a label selector');
/** Incident severity: 1 (worst) to 4. */
export const severity = z.number().int().min(1).max(4);
export const timeZone = z.string().min(1).max(64);
/** Slack ids: U123, C123. */
export const slackId = z.string().regex(/^[A-Z0-9]{1,40}$/);
