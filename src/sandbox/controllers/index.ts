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
    createKubelet(ctx),
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
  };
}

