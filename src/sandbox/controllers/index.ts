import type { Logger } from 'pino';
import type { Store } from '../store.js';
import { Cache } from './cache.js';
import type { Controller, ControllerContext } from './context.js';
import { createDaemonSetController } from './daemonset.js';
import { createDeploymentController } from './deployment.js';
import { createDisruptionController } from './disruption.js';
import { EventRecorder } from './events.js';
import { createGarbageCollector } from './garbage-collector.js';
import { createKubelet } from './kubelet.js';
import { createKubeletNodeStatus } from './kubelet-node-status.js';
import { NodeAgents } from './node-agents.js';
import { rebootNode } from './node-reboot.js';
import { isNodeReady } from './pod-util.js';
import { createNamespaceController } from './namespace.js';
import { createNodeLifecycle } from './node-lifecycle.js';
import { createPodGc } from './pod-gc.js';
import { createPvProtection } from './pv-protection.js';
import { createPvcProtection } from './pvc-protection.js';
import { createReplicaSetController } from './replicaset.js';
import { createScheduler } from './scheduler.js';
import { createStatefulSetController } from './statefulset.js';
import { createTaintEvictionController } from './taint-eviction.js';
import { createVolumeAttachmentController } from './volume-attachments.js';
import { createVolumeBinder } from './volume-binder.js';
import { WorkLoop } from './work-loop.js';

export interface ControllerOptions {
  /** Multiplies every simulated duration (grace periods, container start). 0.01 = 100x faster.
   * @defaultValue 1 */
  timeScale?: number;
  logger?: Logger;
}

export interface Controllers {
  stop(): void;
  /**
   * Reboots a node: its kubelet posts NotReady ("node is shutting down") and stops, stays down for
   * `downMs` (real milliseconds), comes back with a new status.nodeInfo.bootID and restarts its
   * pods' containers. Resolves when the node is Ready again.
   */
  rebootNode(node: string, downMs: number): Promise<void>;
  /** The node's kubelet stops (no heartbeats): the node lifecycle controller marks it Unknown after the grace period. */
  setNodeDown(node: string): void;
  /** The node's kubelet runs again and posts Ready. */
  setNodeUp(node: string): void;
  /**
   * Resolves when no reconcile work is queued and no timer that will change state soon is pending:
   * container starts, mirror pod re-posts, and graceful terminations on Ready nodes. (Pods on
   * NotReady nodes never finish terminating, so they hold nothing up.)
   */
  idle(): Promise<void>;
}

/**
 * Starts the simulated control plane and kubelets against a store. The store's current contents
 * (a seeded scenario) are taken as they are and reconciled once; after that every change is.
 */
export function startControllers(store: Store, options: ControllerOptions = {}): Controllers {
  const loop = new WorkLoop(options.logger);
  const cache = new Cache(store);
  const ctx: ControllerContext = {
    store,
    cache,
    loop,
    events: new EventRecorder(store),
    nodes: new NodeAgents(),
    timeScale: options.timeScale ?? 1,
    logger: options.logger,
  };
  // Order matters only within one flush: status-producing controllers (pods) before their readers.
  const controllers: Controller[] = [
    createNodeLifecycle(ctx),
    createTaintEvictionController(ctx),
    createGarbageCollector(ctx),
    createPodGc(ctx),
    createNamespaceController(ctx),
    createVolumeBinder(ctx),
    createPvcProtection(ctx),
    createPvProtection(ctx),
    createReplicaSetController(ctx),
    createDeploymentController(ctx),
    createStatefulSetController(ctx),
    createDaemonSetController(ctx),
    createScheduler(ctx),
    createVolumeAttachmentController(ctx),
    createKubelet(ctx, (node) => isNodeReady(node) && ctx.nodes.isUp(node.metadata.name)),
    createKubeletNodeStatus(ctx),
    createDisruptionController(ctx),
  ];
  for (const c of controllers) loop.register(c);
  const unsubscribe = store.subscribe((e) => {
    if (!cache.apply(e)) return;
    for (const c of controllers) {
      try {
        c.onEvent(e);
      } catch (err) {
        options.logger?.error({ err, controller: c.name }, 'sandbox controller event handler failed');
      }
    }
  });
  for (const c of controllers) c.resync();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      for (const c of controllers) c.stop?.();
      loop.stop();
    },
    idle: () => loop.idle(),
    rebootNode: (node, downMs) => rebootNode(ctx, node, downMs),
    setNodeDown: (node) => ctx.nodes.setDown(node),
    setNodeUp: (node) => ctx.nodes.setUp(node),
  };
}

