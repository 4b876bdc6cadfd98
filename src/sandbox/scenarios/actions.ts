/** Something that happens to a node while the sandbox runs: a reboot, or its kubelet stopping or starting. */
export interface ScenarioAction {
  action: 'reboot' | 'down' | 'up';
  node: string;
  /** Simulated seconds after start (scaled by timeScale). @defaultValue 0 */
  afterSeconds?: number;
  /** For reboot: simulated seconds the node stays down. @defaultValue 30 */
  downSeconds?: number;
}

/** What runs the actions: the sandbox's node controls. */
export interface NodeControls {
  rebootNode(node: string, options: { downMs: number }): Promise<void>;
  setNodeDown(node: string): void;
  setNodeUp(node: string): void;
}

/** Parses `reboot:node02`, `down:node03@60`, `reboot:node02@10/45` (after 10 s, down for 45 s). */
export function parseAction(text: string): ScenarioAction {
  const m = /^(reboot|down|up):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?:@(\d+(?:\.\d+)?))?(?:\/(\d+(?:\.\d+)?))?$/.exec(text);
  if (!m || (m[5] !== undefined && m[1] !== 'reboot')) {
    throw new Error(`"${text}" is not an action: use reboot:NODE[@AFTER][/DOWN], down:NODE[@AFTER] or up:NODE[@AFTER] (seconds)`);
  }
  return {
    action: m[1] as ScenarioAction['action'],
    node: m[2],
    ...(m[4] !== undefined ? { afterSeconds: Number(m[4]) } : {}),
    ...(m[5] !== undefined ? { downSeconds: Number(m[5]) } : {}),
  };
}

/**
 * Schedules actions against a running sandbox, timed in simulated seconds. Returns a function
 * that cancels what has not happened yet.
 */
export function scheduleActions(controls: NodeControls, actions: readonly ScenarioAction[], timeScale: number, onError: (err: unknown) => void = () => {}): () => void {
  const timers = actions.map((a) => {
    const t = setTimeout(() => {
      try {
        if (a.action === 'reboot') controls.rebootNode(a.node, { downMs: (a.downSeconds ?? 30) * 1000 * timeScale }).catch(onError);
        else if (a.action === 'down') controls.setNodeDown(a.node);
        else controls.setNodeUp(a.node);
      } catch (err) {
        onError(err);
      }
    }, (a.afterSeconds ?? 0) * 1000 * timeScale);
    t.unref();
    return t;
  });
  return () => { for (const t of timers) clearTimeout(t); };
}
