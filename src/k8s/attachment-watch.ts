import { Watch, type V1VolumeAttachment } from '@kubernetes/client-node';
import type { KubeClients } from './kube-clients.js';
import { callOptions } from './request-options.js';
import { WatchedList, type WatchSource } from './watched-list.js';

/**
 * Every VolumeAttachment (storage.k8s.io/v1, cluster-scoped), kept current by one watch: a
 * volume is detached from a node when its attachment object is gone (the CSI attacher removes
 * its finalizer once the volume is off the node).
 */
export function watchAttachments(kube: KubeClients, options: { signal: AbortSignal; onRecover?: (what: string, err?: unknown) => void }): Promise<WatchedList<V1VolumeAttachment>> {
  const source: WatchSource<V1VolumeAttachment> = {
    list: (cont, limit, signal) => kube.storage.listVolumeAttachment({ _continue: cont, limit }, callOptions({ signal })),
    watch: (resourceVersion, onEvent, onDone) =>
      new Watch(kube.kubeConfig).watch('/apis/storage.k8s.io/v1/volumeattachments', { resourceVersion, allowWatchBookmarks: true }, onEvent, onDone),
  };
  return WatchedList.start(source, { ...options, what: 'volume attachment watch' });
}
