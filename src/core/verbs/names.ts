import { z } from 'zod';
import { isDns1123Label, isDns1123Subdomain } from '../dns1123.js';
import { selectorProblem } from '../label-selector.js';

/**
 * zod pieces the verbs' args contracts share. Commands check what people type with friendlier
 * messages first; jobs parse every payload with the same contract, so a worker never trusts Redis.
 */

/** Node, pod, deployment, statefulset, daemonset names: DNS-1123 subdomains, at most 253 characters. */
export const objectName = z.string().refine(isDns1123Subdomain, 'must be a DNS-1123 subdomain');
/** Namespaces and container names: DNS-1123 labels, at most 63 characters. */
export const labelName = z.string().refine(isDns1123Label, 'must be a DNS-1123 label');
/** A label selector in apimachinery's grammar (src/core/label-selector.ts). */
export const labelSelector = z.string().refine((s) => selectorProblem(s) === undefined, 'must be a label selector');
/** Incident severity: 1 (worst) to 4. */
export const severity = z.number().int().min(1).max(4);
/** An IANA time zone name, checked with Intl where it is read. */
export const timeZone = z.string().min(1).max(64);
/** Slack ids: U123, C123, S123. */
export const slackId = z.string().regex(/^[A-Z0-9]{1,40}$/);
/** The namespace a namespaced verb acts in; absent means `default`, as kubectl reads it. */
export const namespaceArg = labelName.optional();
/** What `-n` means when it is not given. */
export const DEFAULT_NAMESPACE = 'default';
