import { describe, expect, it } from 'vitest';
import { DEFAULT_TAIL, ErrorCode } from '../src/core/index.js';
import { parseCommand, type ParsedCommand, type ParseFailure } from './parse.js';

function ok(text: string): ParsedCommand {
  const r = parseCommand('/k8s', text);
  if (!r.ok) throw new Error(`expected ok for ${JSON.stringify(text)}, got: ${r.error.message}`);
  return r;
}

function bad(text: string): ParseFailure {
  const r = parseCommand('/k8s', text);
  if (r.ok) throw new Error(`expected failure for ${JSON.stringify(text)}, got ${JSON.stringify(r.args)}`);
  return r;
}

const DRAIN_DEFAULTS = {
  ignoreDaemonsets: true,
  deleteEmptyDirData: false,
  force: false,
  disableEviction: false,
  skipWaitForDeleteTimeoutSeconds: 0,
  timeoutMs: 600_000,
  gracePeriod: -1,
  dryRun: false,
};

describe('/k8s good forms', () => {
  it.each<[string, Partial<ParsedCommand>]>([
    // get
    ['get nodes', { verb: 'get', mode: 'read', risk: 'read', args: { resource: 'nodes', allNamespaces: false } }],
    ['get no', { args: { resource: 'nodes', allNamespaces: false } }],
    ['get nodes -A', { args: { resource: 'nodes', allNamespaces: false } }],
    ['get pods', { args: { resource: 'pods', allNamespaces: false } }],
    ['get po -n shop', { args: { resource: 'pods', allNamespaces: false, namespace: 'shop' }, namespace: 'shop' }],
    ['get pods --namespace=shop', { namespace: 'shop' }],
    ['get pods -nshop', { namespace: 'shop' }],
    ['get Pods -A', { args: { resource: 'pods', allNamespaces: true }, namespace: undefined }],
    ['get pods --all-namespaces', { args: { resource: 'pods', allNamespaces: true } }],
    ['get pods --node node02', { args: { resource: 'pods', allNamespaces: true, node: 'node02' } }],
    ['get pods --node node02 -n shop', { args: { resource: 'pods', allNamespaces: false, node: 'node02', namespace: 'shop' }, namespace: 'shop' }],
    ['get pods -l app=web', { args: { resource: 'pods', allNamespaces: false, selector: 'app=web' } }],
    ["get pods -l 'env in (prod,staging),!canary'", { args: { resource: 'pods', allNamespaces: false, selector: 'env in (prod,staging),!canary' } }],
    ['get deploy', { args: { resource: 'deployments', allNamespaces: false } }],
    ['get deployments.apps', { args: { resource: 'deployments', allNamespaces: false } }],
    ['get pdb -A', { args: { resource: 'poddisruptionbudgets', allNamespaces: true } }],
    ['get ev -n shop', { args: { resource: 'events', allNamespaces: false, namespace: 'shop' }, namespace: 'shop' }],
    ['-n shop get pods', { verb: 'get', namespace: 'shop' }],
    ['get pods --cluster prod-eu', { cluster: 'prod-eu' }],
    // describe
    ['describe node node02', { verb: 'describe', mode: 'read', args: { kind: 'node', name: 'node02' } }],
    ['describe no/node02 -n shop', { args: { kind: 'node', name: 'node02', namespace: 'shop' }, namespace: undefined }],
    ['describe pod web-1 -n shop', { args: { kind: 'pod', name: 'web-1', namespace: 'shop' }, namespace: 'shop' }],
    ['desc po/web-1', { verb: 'describe', args: { kind: 'pod', name: 'web-1' } }],
    // logs
    ['logs web-1', { verb: 'logs', mode: 'read', args: { pod: 'web-1', previous: false, tail: DEFAULT_TAIL } }],
    ['logs pod/web-1 -c app --tail 50 -p -n shop', { args: { pod: 'web-1', container: 'app', tail: 50, previous: true, namespace: 'shop' }, namespace: 'shop' }],
    ['log web-1 --tail=1 --previous', { verb: 'logs', args: { pod: 'web-1', tail: 1, previous: true } }],
    // top, jobs, status, audit, help
    ['top nodes', { verb: 'top', mode: 'read', args: { resource: 'nodes' } }],
    ['top', { args: { resource: 'nodes' } }],
    ['jobs', { verb: 'jobs', mode: 'bot', args: {} }],
    ['status', { verb: 'status', mode: 'bot', args: {} }],
    ['status --cluster prod', { cluster: 'prod' }],
    ['audit', { verb: 'audit', mode: 'bot', args: { sinceMs: 3_600_000 } }],
    ['audit --since 24h', { args: { sinceMs: 86_400_000 } }],
    ['help', { verb: 'help', mode: 'bot', args: {} }],
    ['help drain', { verb: 'help', args: { verb: 'drain' } }],
    ['drain --help', { verb: 'help', args: { verb: 'drain' } }],
    ['scale deploy/web -h', { verb: 'help', args: { verb: 'scale' } }],
    // cordon / uncordon
    ['cordon node02', { verb: 'cordon', risk: 'change', mode: 'plan', args: { node: 'node02' } }],
    ['cordon node/node02', { args: { node: 'node02' } }],
    ['uncordon node02', { verb: 'uncordon', risk: 'change', args: { node: 'node02' } }],
    ['cordon ip-10-0-1-7.ec2.internal', { args: { node: 'ip-10-0-1-7.ec2.internal' } }],
    // drain
    ['drain node02', { verb: 'drain', risk: 'destructive', mode: 'plan', args: { node: 'node02', ...DRAIN_DEFAULTS } }],
    ['Drain node02', { verb: 'drain' }],
    ['drain node02 --ignore-daemonsets=false', { args: { node: 'node02', ...DRAIN_DEFAULTS, ignoreDaemonsets: false } }],
    ['drain node02 --delete-emptydir-data --force --disable-eviction', { args: { node: 'node02', ...DRAIN_DEFAULTS, deleteEmptyDirData: true, force: true, disableEviction: true } }],
    ['drain node02 --delete-local-data', { args: { node: 'node02', ...DRAIN_DEFAULTS, deleteEmptyDirData: true } }],
    ['drain node02 --timeout 15m --grace-period 30 --skip-wait-for-delete-timeout 60', { args: { node: 'node02', ...DRAIN_DEFAULTS, timeoutMs: 900_000, gracePeriod: 30, skipWaitForDeleteTimeoutSeconds: 60 } }],
    ['drain node02 --grace-period -1', { args: { node: 'node02', ...DRAIN_DEFAULTS } }],
    ['drain node02 --pod-selector app=web', { args: { node: 'node02', ...DRAIN_DEFAULTS, podSelector: 'app=web' } }],
    ['drain node02 --dry-run', { args: { node: 'node02', ...DRAIN_DEFAULTS, dryRun: 'client' } }],
    ['drain node02 --dry-run=server', { args: { node: 'node02', ...DRAIN_DEFAULTS, dryRun: 'server' } }],
    ['drain node02 --dry-run=none', { args: { node: 'node02', ...DRAIN_DEFAULTS, dryRun: false } }],
    ['drain node02 --dry-run=true', { args: { node: 'node02', ...DRAIN_DEFAULTS, dryRun: 'client' } }],
    ['drain node02 —force', { args: { node: 'node02', ...DRAIN_DEFAULTS, force: true } }],
    ['drain node02 --force=true --force', { args: { node: 'node02', ...DRAIN_DEFAULTS, force: true } }],
    ['drain <http://node02.example.com|node02.example.com>', { args: { node: 'node02.example.com', ...DRAIN_DEFAULTS } }],
    ['drain "node02"', { args: { node: 'node02', ...DRAIN_DEFAULTS } }],
    // restart
    ['restart deployment/web -n shop', { verb: 'restart', risk: 'destructive', mode: 'plan', args: { kind: 'deployment', name: 'web', namespace: 'shop' }, namespace: 'shop' }],
    ['restart deploy web', { args: { kind: 'deployment', name: 'web' } }],
    ['restart sts/db', { args: { kind: 'statefulset', name: 'db' } }],
    ['restart ds/node-exporter', { args: { kind: 'daemonset', name: 'node-exporter' } }],
    ['restart deployment.apps/web', { args: { kind: 'deployment', name: 'web' } }],
    ['rollout restart deploy/web', { verb: 'restart', args: { kind: 'deployment', name: 'web' } }],
    // scale
    ['scale deployment/web --replicas 3', { verb: 'scale', risk: 'destructive', args: { kind: 'deployment', name: 'web', replicas: 3 } }],
    ['scale sts db --replicas=0 -n data', { args: { kind: 'statefulset', name: 'db', replicas: 0, namespace: 'data' }, namespace: 'data' }],
    ['scale --replicas 2 deploy/web', { args: { kind: 'deployment', name: 'web', replicas: 2 } }],
    // delete
    ['delete pod web-1', { verb: 'delete', risk: 'destructive', args: { kind: 'pod', name: 'web-1', force: false, gracePeriod: -1 } }],
    ['delete po/web-1 --grace-period 30', { args: { kind: 'pod', name: 'web-1', force: false, gracePeriod: 30 } }],
    ['delete pod web-1 --force', { args: { kind: 'pod', name: 'web-1', force: true, gracePeriod: 0 } }],
    ['delete pod web-1 --force --grace-period=0', { args: { kind: 'pod', name: 'web-1', force: true, gracePeriod: 0 } }],
    ['delete pod web-1 --grace-period 0', { args: { kind: 'pod', name: 'web-1', force: false, gracePeriod: 1 } }],
    ['delete pod web-1 -- ', { args: { kind: 'pod', name: 'web-1', force: false, gracePeriod: -1 } }],
  ])('%s', (text, expected) => {
    const r = ok(text);
    const { namespace: _ns, ...rest } = expected;
    expect(r).toMatchObject({ command: '/k8s', text, ...rest });
    if ('args' in expected) expect(r.args).toEqual(expected.args);
    if ('namespace' in expected) expect(r.namespace).toBe(expected.namespace);
  });

  it('accepts the command without its slash, in any case', () => {
    expect(parseCommand('k8s', 'get nodes').ok).toBe(true);
    expect(parseCommand('/K8S', 'get nodes').ok).toBe(true);
  });

  it('keeps the text exactly as typed', () => {
    expect(ok('  drain   node02  ').text).toBe('  drain   node02  ');
  });
});

describe('/k8s bad forms', () => {
  it.each<[string, string]>([
    ['drian node02', 'Unknown verb "drian". Did you mean `drain`?'],
    ['', 'Missing verb: try `/k8s get pods -n NS` or `/k8s help`.'],
    ['   ', 'Missing verb: try `/k8s get pods -n NS` or `/k8s help`.'],
    ['drain', 'drain needs a node name.'],
    ['cordon', 'cordon needs a node name.'],
    ['uncordon', 'uncordon needs a node name.'],
    ['drain Node_02', 'Bad node name "Node_02": a name must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit.'],
    ['drain Node02', 'Bad node name "Node02": a name must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit. Did you mean `node02`?'],
    ['drain node02 node03', 'drain takes one node; unexpected "node03".'],
    ['drain node02 --foo', 'Unknown flag --foo for drain.'],
    ['drain node02 --forse', 'Unknown flag --forse for drain. Did you mean `--force`?'],
    ['drain node02 --delete-empty-dir-data', 'Unknown flag --delete-empty-dir-data for drain. Did you mean `--delete-emptydir-data`?'],
    ['drain node02 --force false', '--force takes no separate value: write --force=false.'],
    ['drain node02 --force=maybe', '--force takes true or false, got "maybe".'],
    ['drain node02 --timeout', '--timeout needs a value (DURATION).'],
    ['drain node02 --timeout soon', '--timeout must be a duration like 90s, 10m or 1h30m, got "soon".'],
    ['drain node02 --timeout 0', '--timeout must be between 1s and 1d, got "0".'],
    ['drain node02 --grace-period -2', '--grace-period must be -1 to 86400, got -2.'],
    ['drain node02 --grace-period 1.5', '--grace-period must be a whole number, got "1.5".'],
    ['drain node02 --skip-wait-for-delete-timeout -1', '--skip-wait-for-delete-timeout must be 0 to 86400, got -1.'],
    ['drain node02 --dry-run=maybe', '--dry-run must be client, server or none, got "maybe".'],
    ['drain node02 --pod-selector', '--pod-selector needs a value (SELECTOR).'],
    ['drain node02 --pod-selector --force', '--pod-selector needs a value (SELECTOR).'],
    ['drain node02 --pod-selector "app in (web"', 'Bad selector for --pod-selector "app in (web": the list after in is not closed with ")". Example: app=web,tier!=db.'],
    ['drain node02 --timeout 5m --timeout 10m', '--timeout given twice ("5m" and "10m"). Give it once.'],
    ['drain "node02', 'Unclosed quote: "node02 never ends. Add the closing ".'],
    ['drain deploy/web', 'drain works on nodes, not deployments.'],
    ['drain node02 -n shop', '-n does not narrow a drain: it evicts pods of every namespace on the node. Use --pod-selector to limit it.'],
    ['drain <@U123|alice>', 'Bad node name "@alice": a name must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit.'],
    ['scale deployment/web', '--replicas is required: how many pods should deployment/web run?'],
    ['scale deployment/web --replicas', '--replicas needs a value (N).'],
    ['scale deployment/web --replicas three', '--replicas must be a whole number, got "three".'],
    ['scale deployment/web --replicas -1', '--replicas must be 0 to 10000, got -1.'],
    ['scale deployment/web --replicas 2.5', '--replicas must be a whole number, got "2.5".'],
    ['scale pod/web-1 --replicas 2', 'scale works on deployments and statefulsets, not pods.'],
    ['scale', 'scale needs a deployment or statefulset, e.g. deployment/web --replicas 3.'],
    ['scale deployment/ --replicas 2', 'scale needs a name after "deployment/".'],
    ['restart web', 'Unknown type "web" for restart.'],
    ['restart deplyment/web', 'Unknown type "deplyment" for restart. Did you mean `deployment`?'],
    ['restart pod/web-1', 'restart works on deployments, statefulsets and daemonsets, not pods.'],
    ['restart', 'restart needs a deployment, statefulset or daemonset, e.g. deployment/web.'],
    ['restart deploy/Web_App', 'Bad deployment name "Web_App": a name must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit.'],
    ['rollout status deploy/web', 'rollout: only `rollout restart` is supported here.'],
    ['delete pod web-1 --force --grace-period 5', '--force deletes at once (grace 0); drop --force to wait 5s, or drop --grace-period.'],
    ['delete deploy/web', 'delete works on pods, not deployments.'],
    ['delete pod', 'delete pod needs a pod name.'],
    ['get', 'get needs a resource: nodes, pods, deployments, pdb (PodDisruptionBudgets) and events.'],
    ['get podz', 'get cannot list "podz": it lists nodes, pods, deployments, pdb (PodDisruptionBudgets) and events. Did you mean `pods`?'],
    ['get svc', 'Not supported: get services. sitrep lists nodes, pods, deployments, pdb (PodDisruptionBudgets) and events.'],
    ['get statefulsets', 'Not supported: get statefulsets. sitrep lists nodes, pods, deployments, pdb (PodDisruptionBudgets) and events.'],
    ['get ingress.networking.k8s.io', 'Not supported: get ingresses. sitrep lists nodes, pods, deployments, pdb (PodDisruptionBudgets) and events.'],
    ['describe svc web', 'describe works on nodes and pods, not services.'],
    ['restart cronjob/backup', 'restart works on deployments, statefulsets and daemonsets, not cronjobs.'],
    ['get pods web-1', 'get lists a whole type; for one pod use `/k8s describe pod web-1`.'],
    ['get pods -A -n shop', '-A and -n together: pick one (all namespaces, or one).'],
    ['get nodes --node node02', '--node works only with `get pods`.'],
    ['get pods -l =web', 'Bad selector for -l "=web": expected a label key before "=". Example: app=web,tier!=db.'],
    ['get pods -l "app in ()"', 'Bad selector for -l "app in ()": the list after in is empty. Example: app=web,tier!=db.'],
    ['get pods -n Shop', 'Bad namespace name "Shop": a name must be lowercase letters, digits and "-", starting and ending with a letter or digit. Did you mean `shop`?'],
    ['get pods -n my.ns', 'Bad namespace name "my.ns": a name must be lowercase letters, digits and "-", starting and ending with a letter or digit.'],
    ['get pods -namespace shop', 'Use two dashes: --namespace, not -namespace.'],
    ['get pods -x', 'Unknown flag -x for get.'],
    ['get pods -a', 'Unknown flag -a for get. Did you mean `-A`?'],
    ['get pods --cluster "bad name"', 'Bad cluster name "bad name": use the name from `/k8s status`.'],
    ['logs', 'logs needs a pod name.'],
    ['logs web-1 --tail 0', '--tail must be 1 to 10000, got 0.'],
    ['logs web-1 --tail 1e3', '--tail must be a whole number, got "1e3".'],
    ['logs web-1 -c App', 'Bad container name "App": a name must be lowercase letters, digits and "-", starting and ending with a letter or digit. Did you mean `app`?'],
    ['top pods', "Not supported: top pods. sitrep's top shows nodes only (`/k8s top nodes`: requests against allocatable). For a pod's requests and limits: `/k8s describe pod NAME -n NS`."],
    ['top svc', "Not supported: top services. sitrep's top shows nodes only (`/k8s top nodes`: requests against allocatable)."],
    ['jobs all', 'jobs takes no arguments; unexpected "all".'],
    ['audit --since forever', '--since must be a duration like 90s, 10m or 1h30m, got "forever".'],
    ['audit --since 60d', '--since must be between 1s and 30d, got "60d".'],
    ['note it broke', 'Unknown verb "note". `note` is a `/incident` verb.'],
    ['--force', 'Missing verb before "--force": e.g. `/k8s get pods --force`.'],
  ])('%s', (text, message) => {
    const r = bad(text);
    expect(r.error.message).toBe(message);
    expect(r.error.code).toMatch(/^sitrep_(bad_args|unknown_verb)$/);
  });

  it('shows the usage of the verb in the hint', () => {
    expect(bad('drain').error.hint).toContain('Usage: `/k8s drain NODE');
    expect(bad('scale deployment/web').error.hint).toContain('--replicas N');
    expect(bad('drain node02 --foo').verb).toBe('drain');
  });

  it('points an unknown verb at the suggested verb\'s usage, with the unknown-verb code', () => {
    const r = bad('drian node02');
    expect(r.error.code).toBe(ErrorCode.UnknownVerb);
    expect(r.error.hint).toContain('/k8s drain NODE');
  });

  it('lists the verbs when nothing is close', () => {
    const r = bad('frobnicate');
    expect(r.error.message).toBe('Unknown verb "frobnicate".');
    expect(r.error.hint).toContain('`drain`');
  });

  it('refuses an unknown slash command without throwing', () => {
    const r = parseCommand('/kubectl', 'get pods');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('Unknown command "/kubectl": sitrep answers /k8s and /incident.');
  });

  it('says what was typed as plain text (the renderer escapes it for Slack, once)', () => {
    const r = bad('drain &lt;!channel&gt; &amp; co');
    expect(r.error.message).toContain('"<!channel>"');
    expect(r.error.message).not.toContain('&lt;');
  });

  it('shortens long echoed input', () => {
    const r = bad(`drain ${'x'.repeat(500)}`);
    expect(r.error.message.length).toBeLessThan(200);
  });
});
