import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';
import { freePort } from './free-port.js';

/** Debian's package installs it under this name (`apt-get install prometheus-alertmanager`; .ci/run does). */
const BINARY = 'prometheus-alertmanager';

/** Why the real Alertmanager cannot run here, or undefined when it can. */
export function alertmanagerMissing(): string | undefined {
  const r = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  return r.error ? `${BINARY} not on PATH (apt-get install prometheus-alertmanager)` : undefined;
}

export interface TestAlertmanager {
  url: string;
  /** Posts alerts to its API (POST /api/v2/alerts), as Prometheus does. */
  post(alerts: { labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string; generatorURL?: string }[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real Prometheus Alertmanager on a free port, for one test file: its webhook receiver is the
 * bot's /alertmanager with a bearer token, timings short (group_wait 1s, group_interval 1s,
 * repeat_interval `repeatInterval`), gossip off (`--cluster.listen-address=`, else parallel test
 * files would fight over port 9094), its state in a fresh folder.
 */
export async function startAlertmanager(options: { webhookUrl: string; token: string; repeatInterval?: string }): Promise<TestAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'sitrep-am-'));
  const port = await freePort();
  const config = `route:
  receiver: sitrep
  group_by: [alertname, cluster]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: ${options.repeatInterval ?? '1h'}
receivers:
  - name: sitrep
    webhook_configs:
      - url: ${JSON.stringify(options.webhookUrl)}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${JSON.stringify(options.token)}
`;
  await writeFile(join(dir, 'alertmanager.yml'), config);
  const child: ChildProcess = spawn(BINARY, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${dir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok, { what: 'Alertmanager to be ready', timeoutMs: 20_000, describe: () => stderr.slice(-2000) });
  return {
    url,
    async post(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
