// Boot: session, workspace choice, layout, routing (#/c/<channel id>), presence, keys.

import { ApiError, api, session } from './api.js';
import { authScreen, firstWorkspaceScreen } from './auth.js';
import { focusComposer, initMessages, openChannel, paneElement } from './messages.js';
import { closePanel, panelElement } from './panel.js';
import { focusSearch, searchBox } from './search.js';
import { initSidebar, reloadWorkspaceData, render as renderSidebar, sidebarElement } from './sidebar.js';
import * as socket from './socket.js';
import { emit, isDirect, on, rememberUser, state } from './store.js';
import { initThreads } from './threads.js';
import { errorText, h, toast } from './util.js';

const WS_KEY = 'teamchat.workspace';
const app = document.getElementById('app');
let layoutBuilt = false;
let banner = null;

function showAuth() {
  socket.stop();
  layoutBuilt = false;
  app.replaceChildren(authScreen((user) => afterLogin(user)));
}

async function afterLogin(user) {
  state.me = rememberUser(user);
  await loadWorkspaces();
}

async function logout() {
  try {
    await api.logout();
  } catch {
    // the token is dropped locally either way
  }
  session.clear();
  socket.stop();
  window.location.hash = '';
  window.location.reload();
}

async function loadWorkspaces(preferId) {
  const res = await api.workspaces();
  state.workspaces = res.workspaces || [];
  if (!state.workspaces.length) {
    socket.stop();
    layoutBuilt = false;
    app.replaceChildren(
      firstWorkspaceScreen(
        state.me,
        (ws) => loadWorkspaces(ws ? ws.id : undefined),
        logout,
      ),
    );
    return;
  }
  const wanted = preferId || localStorage.getItem(WS_KEY);
  const ws = state.workspaces.find((w) => w.id === wanted) || state.workspaces[0];
  await enterWorkspace(ws);
}

function buildLayout() {
  if (layoutBuilt) return;
  layoutBuilt = true;
  banner = h('div', { class: 'conn-banner', role: 'status', hidden: true });
  const topbar = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'skip-link', href: '#main', text: 'Skip to messages' }),
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'TeamChat'),
    searchBox(),
  );
  const scrim = h('div', {
    class: 'scrim',
    'aria-hidden': 'true',
    onclick: () => document.body.classList.remove('sidebar-open'),
  });
  app.replaceChildren(
    h('div', { class: 'layout' }, topbar, banner, sidebarElement(), paneElement(), panelElement(), scrim),
  );
}

async function enterWorkspace(ws) {
  const switching = state.workspace && state.workspace.id !== ws.id;
  state.workspace = ws;
  localStorage.setItem(WS_KEY, ws.id);
  if (switching) {
    state.channels.clear();
    closePanel();
  }
  buildLayout();
  try {
    await reloadWorkspaceData();
  } catch (err) {
    toast(`Could not load the workspace: ${errorText(err)}`);
  }
  socket.start();
  const fromHash = channelFromHash();
  const remembered = localStorage.getItem(`teamchat.channel.${ws.id}`);
  const pick =
    (fromHash && state.channels.has(fromHash) && fromHash) ||
    (remembered && state.channels.has(remembered) && remembered) ||
    firstChannelId();
  navigate({ cid: pick }, true);
}

function firstChannelId() {
  const all = [...state.channels.values()];
  const ch = all.find((c) => !isDirect(c) && c.name === 'general') || all.find((c) => !isDirect(c)) || all[0];
  return ch ? ch.id : null;
}

function channelFromHash() {
  const m = /^#\/c\/([^/?]+)/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

function navigate({ cid, aroundSeq = null, highlightId = null }, replace = false) {
  const hash = cid ? `#/c/${encodeURIComponent(cid)}` : '#/';
  if (window.location.hash !== hash) {
    if (replace) window.history.replaceState(null, '', hash);
    else window.history.pushState(null, '', hash);
  }
  if (cid && state.workspace) localStorage.setItem(`teamchat.channel.${state.workspace.id}`, cid);
  document.body.classList.remove('sidebar-open');
  openChannel(cid, { aroundSeq, highlightId });
  renderSidebar();
}

function moveChannel(step) {
  const items = [...document.querySelectorAll('.sidebar .chan-item[data-channel-id]')];
  const i = items.findIndex((b) => b.dataset.channelId === state.currentChannelId);
  const next = items[(i + step + items.length) % items.length];
  if (next) navigate({ cid: next.dataset.channelId });
}

function onKeyDown(ev) {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '');
  if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 'k') {
    ev.preventDefault();
    focusSearch();
  } else if (ev.key === '/' && !typing && !document.querySelector('dialog[open]')) {
    ev.preventDefault();
    focusSearch();
  } else if (ev.altKey && (ev.key === 'ArrowUp' || ev.key === 'ArrowDown')) {
    ev.preventDefault();
    moveChannel(ev.key === 'ArrowUp' ? -1 : 1);
  } else if (ev.key === 'Escape' && document.body.classList.contains('sidebar-open')) {
    document.body.classList.remove('sidebar-open');
  } else if (ev.key === 'Escape' && !typing && !document.querySelector('dialog[open], .popover')) {
    closePanel();
    focusComposer();
  }
}

// Presence: away when the page is hidden or idle for five minutes.
let lastActivity = Date.now();
let sentStatus = 'online';
function checkPresence(force = false) {
  const idle = Date.now() - lastActivity > 5 * 60 * 1000;
  const status = document.hidden || idle ? 'away' : 'online';
  if (force || status !== sentStatus) {
    if (socket.send({ type: 'presence', status })) sentStatus = status;
  }
}

function showConnection({ status, detail }) {
  if (!banner) return;
  if (status === 'online') {
    banner.hidden = true;
    return;
  }
  const text =
    status === 'connecting'
      ? 'Connecting…'
      : `Connection lost. Reconnecting${detail && detail.inMs ? ` in ${Math.ceil(detail.inMs / 1000)}s` : ''}…`;
  banner.replaceChildren(
    h('span', { text }),
    status === 'reconnecting'
      ? h('button', { type: 'button', class: 'link', text: 'Retry now', onclick: () => socket.reconnectNow() })
      : null,
  );
  banner.hidden = false;
}

function wireGlobal() {
  session.onUnauthorized(() => {
    session.clear();
    showAuth();
  });
  on('socket:unauthorized', () => {
    session.clear();
    showAuth();
  });
  // A socket refused before its hello: ask the API, whose 401 leads to the login form.
  on('socket:rejected', () => api.me().catch(() => {}));
  on('navigate', (opts) => navigate(opts));
  on('logout', logout);
  on('toast', (msg) => toast(msg));
  on('workspace:select', (wid) => {
    const ws = state.workspaces.find((w) => w.id === wid);
    if (ws) enterWorkspace(ws);
  });
  on('workspace:created', (ws) => loadWorkspaces(ws.id));
  on('connection', showConnection);
  on('socket:ready', () => checkPresence(true));
  initSidebar();
  initMessages();
  initThreads();
  window.addEventListener('popstate', () => {
    const cid = channelFromHash();
    if (cid && cid !== state.currentChannelId && state.channels.has(cid)) openChannel(cid);
  });
  document.addEventListener('keydown', onKeyDown);
  for (const ev of ['keydown', 'mousedown', 'mousemove', 'focus', 'touchstart']) {
    window.addEventListener(ev, () => (lastActivity = Date.now()), { passive: true });
  }
  document.addEventListener('visibilitychange', () => checkPresence());
  setInterval(checkPresence, 30000);
  // Test and debugging hook: behave as if the network dropped.
  window.teamchat = { dropConnection: socket.dropConnection, state, emit };
}

async function boot() {
  wireGlobal();
  if (!session.token) return showAuth();
  try {
    state.me = rememberUser(await api.me());
    await loadWorkspaces();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showAuth();
    app.replaceChildren(
      h(
        'div',
        { class: 'auth-screen' },
        h(
          'div',
          { class: 'auth-card' },
          h('p', { class: 'form-error', role: 'alert', text: `TeamChat could not start: ${errorText(err)}` }),
          h('button', { type: 'button', class: 'primary', text: 'Try again', onclick: () => window.location.reload() }),
        ),
      ),
    );
  }
  return undefined;
}

boot();
