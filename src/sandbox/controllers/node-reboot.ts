import { ApiError } from '../api-error.js';
import { setNodeCondition } from '../node-conditions.js';
import type { ControllerContext } from './context.js';
import { isNodeReady } from './pod-util.js';

/**
 * A node reboot as a cluster sees it: the kubelet's graceful node shutdown posts Ready=False
 * ("node is shutting down", pkg/kubelet/nodeshutdown) and the kubelet stops; `downMs` later the
 * machine is up with a new boot ID, the kubelet posts Ready and restarts the containers. Resolves
 * once the node is Ready in the new boot.
 */
export function rebootNode(ctx: ControllerContext, node: string, downMs: number): Promise<void> {
  if (!ctx.cache.get('nodes', node)) return Promise.reject(ApiError.notFound('nodes', node));
  setNodeCondition(ctx.store, node, 'Ready', 'False', { reason: 'KubeletNotReady', message: 'node is shutting down' });
  ctx.nodes.setDown(node);
  return new Promise((resolve) => {
    const unsubscribe = ctx.store.subscribe((e) => {
      if (e.key === 'nodes' && e.object.metadata.name === node && isNodeReady(e.object) && ctx.nodes.isUp(node)) {
        unsubscribe();
        resolve();
      }
    });
    ctx.loop.after(Math.max(0, downMs), () => ctx.nodes.setUp(node, true), false);
  });
}
