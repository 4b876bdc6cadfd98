// The local Slack console: one page, no framework, no build step, nothing from the network.
// State arrives over one Server-Sent Events stream (a full snapshot, then every change); what
// the person does goes back as small JSON POSTs that the server turns into Slack's own requests.
import { QUICK_REACTIONS, emoji } from './emoji.js';
import { h, mrkdwn, renderBlocks, withEmoji } from './render.js';

const $ = (id) => document.getElementById(id);

const EXAMPLES = [
  { text: '/k8s get nodes', note: 'read: no approval' },
  { text: '/k8s drain node02 --delete-emptydir-data --force', note: 'plan, approval, live progress' },
  { text: '/incident start Checkout errors after node02 maintenance --sev 2', note: 'open an incident' },
  { text: '/k8s help', note: 'every verb' },
];

const SLASH_COMMANDS = [
  { command: '/k8s', hint: 'get · describe · logs · top · cordon · drain · restart · scale · delete · help' },
  { command: '/incident', hint: 'start · note · sev · status · resolve · timeline · postmortem · help' },
];

const params = new URLSearchParams(location.search);
const page = {
  me: params.get('as') ?? localStorage.getItem('sitrep.console.me') ?? null,
  data: null,
  channel: null,
  /** ts of the open thread's parent, in the current channel. */
  thread: null,
  unread: {},
  source: null,
  clusterTimer: null,
  clusterOpen: localStorage.getItem('sitrep.console.cluster') !== 'closed',
};

// ---- model ---------------------------------------------------------------------------------

const byTs = (a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0);
const isTopLevel = (m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast';

function user(id) {
  return page.data?.users.find((u) => u.id === id);
}
function displayName(id) {
  if (id === page.data?.bot.userId) return page.data.bot.name;
  const u = user(id);
  return u ? u.realName ?? u.name : id;
}
function channelById(id) {
  return page.data?.channels.find((c) => c.id === id);
}
function onCall(id) {
  return Boolean(page.data?.usergroups.find((g) => g.handle === 'oncall')?.users.includes(id));
}

function load(state) {
  page.data = {
    ...state,
    messages: Object.fromEntries(Object.entries(state.messages).map(([c, list]) => [c, new Map(list.map((m) => [m.ts, m]))])),
    ephemerals: Object.fromEntries(Object.entries(state.ephemerals).map(([c, list]) => [c, new Map(list.map((m) => [m.ts, m]))])),
  };
  page.me = state.me;
  // Lets tests (and curious people) see whose view the page shows once it has loaded.
  document.body.dataset.me = state.me;
  const wanted = decodeURIComponent(location.hash.slice(1)) || 'ops';
  const channel = state.channels.find((c) => c.name === wanted || c.id === wanted) ?? state.channels[0];
  page.channel = channel?.id ?? null;
  if (page.thread && !page.data.messages[page.channel]?.has(page.thread)) page.thread = null;
  renderAll();
  toggleCluster(page.clusterOpen && state.cluster);
}

function apply(event) {
  const d = page.data;
  if (!d) return;
  const list = (event.type.startsWith('ephemeral') ? d.ephemerals : d.messages)[event.channel];
  if (!list) return; // a channel the page does not show (a DM)
  if (event.type === 'message' || event.type === 'ephemeral') {
    const isNew = !list.has(event.message.ts);
    list.set(event.message.ts, event.message);
    if (isNew && event.channel !== page.channel && event.type === 'message' && isTopLevel(event.message)) {
      page.unread[event.channel] = (page.unread[event.channel] ?? 0) + 1;
      renderChannels();
    }
  } else {
    list.delete(event.ts);
    if (event.type === 'deleted' && page.thread === event.ts && event.channel === page.channel) page.thread = null;
  }
  if (event.channel === page.channel) {
    renderMessages();
    renderThread();
  }
}

// ---- connection ----------------------------------------------------------------------------

function connect() {
  page.source?.close();
  const url = page.me ? `/api/events?user=${encodeURIComponent(page.me)}` : '/api/events';
  const source = new EventSource(url);
  page.source = source;
  source.onmessage = (e) => {
    $('connection').hidden = true;
    const event = JSON.parse(e.data);
    if (event.type === 'state') load(event.state);
    else apply(event);
  };
  // EventSource reconnects by itself; the server then sends a fresh snapshot.
  source.onerror = () => {
    $('connection').hidden = false;
  };
}

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }));
  return { ...json, httpOk: res.ok };
}

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 5000);
}

// ---- rendering -----------------------------------------------------------------------------

const ctx = () => ({
  me: page.me,
  userName: (id) => (id === page.data.bot.userId ? page.data.bot.name : user(id)?.name ?? null),
  channelName: (id) => channelById(id)?.name ?? null,
  groupHandle: (id) => page.data.usergroups.find((g) => g.id === id)?.handle ?? null,
  openChannel: (id) => openChannel(id),
  onButton: () => {},
});

function renderAll() {
  renderUsers();
  renderChannels();
  renderHeader();
  renderMessages(true);
  renderThread();
}

function renderUsers() {
  const sel = $('user-switcher');
  sel.replaceChildren(
    ...page.data.users
      .filter((u) => !u.isBot)
      .map((u) => h('option', { value: u.id, selected: u.id === page.me }, `${u.realName ?? u.name}${onCall(u.id) ? ' · on call' : ''}`)),
  );
  $('who-note').textContent = onCall(page.me)
    ? 'On call: may run changes and approve other people’s.'
    : 'Not on call: may read; changes need someone on call.';
  $('me-avatar').replaceWith(avatar(page.me, 'me-avatar'));
}

function renderChannels() {
  $('channels').replaceChildren(
    ...page.data.channels.map((c) =>
      h(
        'a',
        {
          href: `#${c.name}`,
          class: c.id === page.channel ? 'channel-link active' : page.unread[c.id] ? 'channel-link unread' : 'channel-link',
          'data-testid': 'channel-link',
          'data-channel': c.name,
          onclick: (e) => { e.preventDefault(); openChannel(c.id); },
        },
        h('span', { class: 'hash' }, '#'),
        c.name,
        page.unread[c.id] ? h('span', { class: 'unread-badge' }, page.unread[c.id]) : null,
      ),
    ),
  );
}

function renderHeader() {
  const c = channelById(page.channel);
  $('channel-title').textContent = c ? `# ${c.name}` : '';
  $('channel-purpose').textContent = c?.purpose ?? c?.topic ?? '';
  $('composer-input').placeholder = c ? `Message #${c.name}  (try /k8s get nodes)` : '';
}

function openChannel(id) {
  if (!channelById(id)) return;
  page.channel = id;
  page.thread = null;
  delete page.unread[id];
  history.replaceState(null, '', `${location.pathname}${location.search}#${channelById(id).name}`);
  renderChannels();
  renderHeader();
  renderMessages(true);
  renderThread();
  $('composer-input').focus();
}

const COLORS = 8;
function avatar(id, elId) {
  const isBot = id === page.data.bot.userId;
  const name = displayName(id);
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return h('div', { class: `avatar ${isBot ? 'avatar-bot' : `color-${hash % COLORS}`}`, id: elId, 'aria-hidden': 'true' }, isBot ? '⎈' : name.slice(0, 1).toUpperCase());
}

function time(ts) {
  const d = new Date(Number(ts) * 1000);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function fileCard(f) {
  const href = `/files/${encodeURIComponent(f.id)}/${encodeURIComponent(f.name)}`;
  const size = f.size < 1024 ? `${f.size} B` : `${(f.size / 1024).toFixed(1)} KB`;
  return h(
    'div',
    { class: 'file', 'data-testid': 'file', 'data-file-id': f.id },
    h('div', { class: 'file-icon' }, f.filetype === 'markdown' ? 'MD' : f.filetype === 'json' ? '{ }' : 'TXT'),
    h(
      'div',
      { class: 'file-body' },
      h('a', { class: 'file-title', href, target: '_blank', rel: 'noopener', 'data-testid': 'file-link' }, f.title || f.name),
      h('div', { class: 'file-meta' }, `${f.name} · ${f.pretty_type} · ${size}`),
    ),
    h('a', { class: 'file-download', href: `${href}?download=1`, download: f.name, 'data-testid': 'file-download', title: 'Download' }, '⬇'),
  );
}

function reactionsRow(m, channel) {
  if (!m.reactions?.length) return null;
  return h(
    'div',
    { class: 'reactions' },
    m.reactions.map((r) =>
      h(
        'button',
        {
          type: 'button',
          class: r.users.includes(page.me) ? 'reaction mine' : 'reaction',
          'data-testid': 'reaction',
          'data-name': r.name,
          title: `${r.users.map(displayName).join(', ')} reacted with :${r.name}:`,
          onclick: () => react(channel, m.ts, r.name),
        },
        emoji(r.name) ?? `:${r.name}:`,
        ' ',
        h('span', { class: 'count' }, r.count),
      ),
    ),
  );
}

async function react(channel, ts, name) {
  const r = await post('/api/reaction', { user: page.me, channel, ts, name });
  if (!r.ok && r.error !== 'already_reacted') toast(`Reaction failed: ${r.error}`);
}

function hoverMenu(m, channel, inThread) {
  return h(
    'div',
    { class: 'msg-menu' },
    QUICK_REACTIONS.map((name) =>
      h('button', { type: 'button', class: 'menu-btn', 'data-testid': 'reaction-add', 'data-name': name, title: `React with :${name}:`, onclick: () => react(channel, m.ts, name) }, emoji(name)),
    ),
    inThread ? null : h('button', { type: 'button', class: 'menu-btn', 'data-testid': 'reply-in-thread', title: 'Reply in thread', onclick: () => openThread(m.ts) }, '💬'),
  );
}

function messageEl(m, channel, { inThread = false } = {}) {
  const c = { ...ctx(), onButton: (b, el) => click(channel, m, false, b, el) };
  const content = m.blocks?.length ? renderBlocks(m.blocks, c) : mrkdwn(m.text, c);
  const isBot = m.user === page.data.bot.userId;
  const replies = !inThread && m.reply_count && (m.thread_ts === m.ts)
    ? h(
        'button',
        { type: 'button', class: 'thread-toggle', 'data-testid': 'thread-toggle', onclick: () => openThread(m.ts) },
        h('span', { class: 'reply-avatars' }, (m.reply_users ?? []).slice(0, 3).map((u) => avatar(u))),
        `${m.reply_count} ${m.reply_count === 1 ? 'reply' : 'replies'}`,
        h('span', { class: 'thread-last' }, m.latest_reply ? `Last reply ${time(m.latest_reply)}` : ''),
      )
    : null;
  return h(
    'div',
    { class: `msg${m.pinned_to?.length ? ' pinned' : ''}`, 'data-testid': 'message', 'data-ts': m.ts, 'data-user': m.user, 'data-key': m.ts },
    m.pinned_to?.length ? h('div', { class: 'pinned-note' }, '📌 Pinned in this channel') : null,
    h(
      'div',
      { class: 'msg-row' },
      avatar(m.user),
      h(
        'div',
        { class: 'msg-body' },
        h(
          'div',
          { class: 'msg-head' },
          h('span', { class: 'author', 'data-testid': 'message-author' }, displayName(m.user)),
          isBot ? h('span', { class: 'app-tag' }, 'APP') : null,
          h('time', { title: new Date(Number(m.ts) * 1000).toLocaleString() }, time(m.ts)),
          m.edited ? h('span', { class: 'edited' }, '(edited)') : null,
        ),
        h('div', { class: 'msg-content', 'data-testid': 'message-content' }, content),
        m.files?.length ? h('div', { class: 'files' }, m.files.map(fileCard)) : null,
        reactionsRow(m, channel),
        replies,
      ),
    ),
    hoverMenu(m, channel, inThread),
  );
}

function ephemeralEl(e, channel) {
  const c = { ...ctx(), onButton: (b, el) => click(channel, e, true, b, el) };
  const content = e.blocks?.length ? renderBlocks(e.blocks, c) : mrkdwn(e.text, c);
  return h(
    'div',
    { class: 'msg ephemeral', 'data-testid': 'ephemeral', 'data-ts': e.ts, 'data-key': `e${e.ts}` },
    h(
      'div',
      { class: 'msg-row' },
      avatar(e.user),
      h(
        'div',
        { class: 'msg-body' },
        h(
          'div',
          { class: 'msg-head' },
          h('span', { class: 'author' }, displayName(e.user)),
          h('span', { class: 'app-tag' }, 'APP'),
          h('time', {}, time(e.ts)),
        ),
        h('div', { class: 'msg-content', 'data-testid': 'message-content' }, content),
        h(
          'div',
          { class: 'only-you' },
          '👁 Only visible to you · ',
          h('button', { type: 'button', class: 'link-btn', 'data-testid': 'dismiss', onclick: () => post('/api/ephemeral/dismiss', { user: page.me, channel, ts: e.ts }) }, 'Dismiss'),
        ),
      ),
    ),
  );
}

/**
 * Puts `items` into `container` in order, re-rendering only items whose content changed, so a
 * live-edited card does not make other messages (or the button under the mouse) flicker.
 */
function sync(container, items) {
  const existing = new Map([...container.children].map((el) => [el.dataset.key, el]));
  let i = 0;
  for (const { key, sig, render } of items) {
    let el = existing.get(key);
    if (!el || el.dataset.sig !== sig) {
      const fresh = render();
      fresh.dataset.sig = sig;
      if (el) el.replaceWith(fresh);
      el = fresh;
    }
    existing.delete(key);
    if (container.children[i] !== el) container.insertBefore(el, container.children[i] ?? null);
    i += 1;
  }
  for (const el of existing.values()) el.remove();
}

function renderMessages(jump = false) {
  const box = $('messages');
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  const channel = page.channel;
  const messages = [...(page.data.messages[channel]?.values() ?? [])].filter(isTopLevel);
  const ephemerals = [...(page.data.ephemerals[channel]?.values() ?? [])].filter((e) => !e.thread_ts);
  const items = [
    ...messages.map((m) => ({ ts: m.ts, key: m.ts, sig: `${page.me}|${JSON.stringify(m)}`, render: () => messageEl(m, channel) })),
    ...ephemerals.map((e) => ({ ts: e.ts, key: `e${e.ts}`, sig: `${page.me}|${JSON.stringify(e)}`, render: () => ephemeralEl(e, channel) })),
  ].sort(byTs);
  $('empty').hidden = items.length > 0;
  sync($('message-list'), items);
  if (jump || nearBottom) box.scrollTop = box.scrollHeight;
}

function openThread(ts) {
  const box = $('messages');
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  page.thread = ts;
  renderThread();
  // The pane narrows the channel and its messages grow taller; keep the end in view.
  if (nearBottom) box.scrollTop = box.scrollHeight;
  $('thread-input').focus();
}

function renderThread() {
  const pane = $('thread');
  const parent = page.thread && page.data.messages[page.channel]?.get(page.thread);
  if (!parent) {
    pane.hidden = true;
    page.thread = null;
    return;
  }
  pane.hidden = false;
  $('thread-channel').textContent = `#${channelById(page.channel)?.name ?? ''}`;
  const channel = page.channel;
  const all = [...page.data.messages[channel].values()].filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts);
  const ephemerals = [...(page.data.ephemerals[channel]?.values() ?? [])].filter((e) => e.thread_ts === parent.ts);
  const items = [
    { ts: parent.ts, key: `p${parent.ts}`, sig: `${page.me}|${JSON.stringify(parent)}`, render: () => withKey(messageEl(parent, channel, { inThread: true }), `p${parent.ts}`) },
    { ts: `${parent.ts}~`, key: 'divider', sig: String(all.length), render: () => h('div', { class: 'thread-count', 'data-key': 'divider' }, `${all.length} ${all.length === 1 ? 'reply' : 'replies'}`) },
    ...all.map((m) => ({ ts: m.ts, key: m.ts, sig: `${page.me}|${JSON.stringify(m)}`, render: () => messageEl(m, channel, { inThread: true }) })),
    ...ephemerals.map((e) => ({ ts: e.ts, key: `e${e.ts}`, sig: `${page.me}|${JSON.stringify(e)}`, render: () => ephemeralEl(e, channel) })),
  ].sort(byTs);
  sync($('thread-list'), items);
}

function withKey(el, key) {
  el.dataset.key = key;
  return el;
}

// ---- actions -------------------------------------------------------------------------------

function confirmDialog(confirm) {
  const dialog = $('confirm');
  $('confirm-title').textContent = withEmoji(confirm.title?.text ?? 'Are you sure?');
  $('confirm-text').replaceChildren(confirm.text?.type === 'mrkdwn' ? mrkdwn(confirm.text.text, ctx()) : withEmoji(confirm.text?.text ?? ''));
  const ok = $('confirm-ok');
  ok.textContent = confirm.confirm?.text ?? 'Yes';
  ok.className = `btn ${confirm.style === 'danger' ? 'btn-danger' : 'btn-primary'}`;
  $('confirm-deny').textContent = confirm.deny?.text ?? 'Cancel';
  return new Promise((resolve) => {
    const done = (answer) => {
      ok.onclick = null;
      $('confirm-deny').onclick = null;
      dialog.oncancel = null;
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    ok.onclick = () => done(true);
    $('confirm-deny').onclick = () => done(false);
    dialog.oncancel = (e) => { e.preventDefault(); done(false); };
    dialog.showModal();
  });
}

async function click(channel, message, ephemeral, button, el) {
  if (button.confirm && !(await confirmDialog(button.confirm))) return;
  if (!button.actionId) return;
  el.disabled = true;
  el.classList.add('busy');
  try {
    const r = await post('/api/action', {
      user: page.me, channel, ts: message.ts, actionId: button.actionId,
      ...(button.blockId ? { blockId: button.blockId } : {}), ...(button.value !== undefined ? { value: button.value } : {}),
      ...(ephemeral ? { ephemeral: true } : {}),
    });
    if (!r.ok) toast(`⚠️ sitrep did not handle the click (${r.error ?? `HTTP ${r.status}`}). Try again.`);
  } catch {
    toast('⚠️ The console server is not answering. Is `sitrep demo` still running?');
  } finally {
    // The element may already be replaced by an edit of the message.
    el.disabled = false;
    el.classList.remove('busy');
  }
}

async function send(input, threadTs) {
  const text = input.value.trim();
  if (!text || !page.channel) return;
  input.value = '';
  hideSuggestions();
  try {
    const r = await post('/api/command', { user: page.me, channel: page.channel, text, ...(threadTs && !text.startsWith('/') ? { threadTs } : {}) });
    if (!r.httpOk) toast(`Not sent: ${r.error}${r.detail ? ` (${r.detail})` : ''}`);
  } catch {
    input.value = text;
    toast('⚠️ The console server is not answering. Is `sitrep demo` still running?');
  }
}

function bindComposer(input, threadTs) {
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void send(input, threadTs());
    }
    if (e.key === 'Escape') hideSuggestions();
  });
}

function showSuggestions() {
  const input = $('composer-input');
  const v = input.value;
  const box = $('suggestions');
  if (!v.startsWith('/') || /\s/.test(v)) return hideSuggestions();
  const matches = SLASH_COMMANDS.filter((c) => c.command.startsWith(v));
  if (!matches.length) return hideSuggestions();
  box.replaceChildren(
    ...matches.map((c) =>
      h('button', { type: 'button', class: 'suggestion', onclick: () => { input.value = `${c.command} `; hideSuggestions(); input.focus(); } }, h('strong', {}, c.command), h('span', {}, c.hint)),
    ),
  );
  box.hidden = false;
}
function hideSuggestions() {
  $('suggestions').hidden = true;
}

// ---- cluster panel -------------------------------------------------------------------------

function toggleCluster(open) {
  page.clusterOpen = open;
  $('cluster').hidden = !open;
  $('cluster-toggle').hidden = !page.data?.cluster;
  $('cluster-toggle').classList.toggle('active', open);
  clearInterval(page.clusterTimer);
  if (open) {
    void pollCluster();
    page.clusterTimer = setInterval(pollCluster, 1000);
  }
}

async function pollCluster() {
  try {
    const res = await fetch('/api/cluster');
    if (!res.ok) return;
    renderCluster(await res.json());
  } catch {
    // The server is restarting or gone; the connection banner already says so.
  }
}

function podChip(p) {
  const state = p.terminating ? 'terminating' : p.phase === 'Running' && p.ready ? 'running' : p.phase === 'Running' ? 'starting' : p.phase.toLowerCase();
  const short = p.name.length > 26 ? `${p.name.slice(0, 25)}…` : p.name;
  return h('li', { class: `pod pod-${state}`, 'data-testid': 'cluster-pod', 'data-pod': `${p.namespace}/${p.name}`, title: `${p.namespace}/${p.name} · ${p.terminating ? 'Terminating' : p.phase}${p.owner ? ` · ${p.owner}` : ' · no controller'}` }, short);
}

function renderCluster(snap) {
  const nodes = snap.nodes.map((n) => {
    const badge = !n.ready ? 'badge-bad' : !n.schedulable ? 'badge-warn' : 'badge-ok';
    const terminating = n.pods.filter((p) => p.terminating).length;
    return h(
      'div',
      { class: `node${n.ready ? '' : ' node-down'}${n.schedulable ? '' : ' node-cordoned'}`, 'data-testid': 'cluster-node', 'data-node': n.name, 'data-status': n.status, 'data-pods': n.pods.length },
      h(
        'div',
        { class: 'node-head' },
        h('span', { class: 'node-name' }, n.name),
        n.roles.length ? h('span', { class: 'node-role' }, n.roles.join(',')) : null,
        h('span', { class: `badge ${badge}`, 'data-testid': 'node-status' }, n.status),
      ),
      h('div', { class: 'node-meta', 'data-testid': 'node-pod-count' }, `${n.pods.length} ${n.pods.length === 1 ? 'pod' : 'pods'}${terminating ? ` · ${terminating} terminating` : ''}`),
      h('ul', { class: 'pods' }, n.pods.map(podChip)),
    );
  });
  const pending = snap.unscheduled.length
    ? h('div', { class: 'node node-pending', 'data-testid': 'cluster-unscheduled' }, h('div', { class: 'node-head' }, h('span', { class: 'node-name' }, 'Not scheduled'), h('span', { class: 'badge badge-warn' }, `${snap.unscheduled.length} Pending`)), h('ul', { class: 'pods' }, snap.unscheduled.map(podChip)))
    : null;
  $('cluster-name').textContent = snap.cluster;
  $('cluster-time').textContent = `live · ${new Date(snap.at).toLocaleTimeString()}`;
  $('cluster-nodes').replaceChildren(...nodes, ...(pending ? [pending] : []));
}

// ---- start ---------------------------------------------------------------------------------

$('user-switcher').addEventListener('change', (e) => {
  page.me = e.target.value;
  localStorage.setItem('sitrep.console.me', page.me);
  page.data = null;
  connect();
});
$('composer').addEventListener('submit', (e) => { e.preventDefault(); void send($('composer-input')); });
$('thread-composer').addEventListener('submit', (e) => { e.preventDefault(); void send($('thread-input'), page.thread); });
bindComposer($('composer-input'), () => undefined);
bindComposer($('thread-input'), () => page.thread);
$('composer-input').addEventListener('input', showSuggestions);
$('thread-close').addEventListener('click', () => { page.thread = null; renderThread(); });
$('cluster-toggle').addEventListener('click', () => {
  toggleCluster(!page.clusterOpen);
  localStorage.setItem('sitrep.console.cluster', page.clusterOpen ? 'open' : 'closed');
});
$('examples').replaceChildren(
  h('span', { class: 'examples-label' }, 'Try:'),
  ...EXAMPLES.map((x) =>
    h('button', { type: 'button', class: 'example', 'data-testid': 'example', title: x.note, onclick: () => { const i = $('composer-input'); i.value = x.text; i.focus(); } }, x.text),
  ),
);
window.addEventListener('hashchange', () => {
  const c = page.data?.channels.find((x) => x.name === decodeURIComponent(location.hash.slice(1)));
  if (c && c.id !== page.channel) openChannel(c.id);
});
connect();
