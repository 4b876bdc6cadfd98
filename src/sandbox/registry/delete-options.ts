/** meta/v1 DeleteOptions as JSON (or protobuf) carries it. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: string;
  dryRun?: string[];
}

/** The finalizers the API server adds for cascading deletion (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
export const GcFinalizer = { Orphan: 'orphan', Foreground: 'foregroundDeletion' } as const;
export type GcFinalizer = (typeof GcFinalizer)[keyof typeof GcFinalizer];
