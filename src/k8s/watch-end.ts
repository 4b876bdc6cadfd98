import { isTransientConnectionFailure } from './transient-failure.js';

/**
 * Why a watch stream ended, as client-go's reflector tells its cases apart
 * (staging/src/k8s.io/client-go/tools/cache/reflector.go, watchHandler and isWatchErrorRetriable):
 * - `expired`: 410 Gone, as an ERROR event on the stream or as the status: the history we would
 *   resume from was compacted; list again.
 * - `closed`: no error, or client-node 2's TimeoutError for a watch silent 30 s (an API server
 *   sends bookmarks about once a minute, and ends watches after --min-request-timeout): watch again
 *   from the last resourceVersion.
 * - `cut`: the stream was cut or the connection refused: the API server is unreachable, what we
 *   hold is not stale; once it answers, watch again from the last resourceVersion (a 410 then says
 *   if it is too old) rather than every client listing everything again as an outage ends.
 * - `failed`: anything else; list again.
 */
export type WatchEnd = 'expired' | 'closed' | 'cut' | 'failed';

/** Classifies the end of a watch: `err` as client-node's done callback got it, `expired` once a 410 ERROR event was seen. */
export function watchEnd(err: unknown, expired: boolean): WatchEnd {
  if (expired || (err as { statusCode?: number } | null)?.statusCode === 410) return 'expired';
  if (!err || (err as { name?: string }).name === 'TimeoutError') return 'closed';
  return isTransientConnectionFailure(err) ? 'cut' : 'failed';
}
