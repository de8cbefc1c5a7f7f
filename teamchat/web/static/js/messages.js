// The message pane of the open channel: history paging both ways, live events,
// read marking as messages come into view, typing indicator, optimistic sends.

import { handleAction } from './actions.js';
import { api } from './api.js';
import { Composer } from './composer.js';
import { channelHeader } from './header.js';
import { send as socketSend } from './socket.js';
import { displayName, emit, on, rememberUser, setPresence, state, upsertChannel } from './store.js';
import { closeThreadOutside, openThread } from './threads.js';
import { buildTimeline } from './timeline.js';
import { debounce, errorText, h } from './util.js';

const PAGE = 50;
const NEAR_EDGE_PX = 300;

const view = {
  cid: null,
  token: 0,
  msgs: [],
  byId: new Map(),
  pending: [],
  members: new Map(),
  hasMoreBefore: false,
  hasMoreAfter: false,
  loadingOlder: false,
  loadingNewer: false,
  unreadAfterSeq: null,
  typing: new Map(),
  markingRead: false,
  // At the bottom: stays there through layout changes (thread pane, resize, composer
  // growing) and new messages. Only the reader scrolling away clears it.
  pinned: true,
};

const dom = {};
let composer = null;

const onAction = (action, msg, anchor, emoji) =>
  handleAction(action, msg, anchor, emoji, { openThread: (m) => openThread(m) });

export function paneElement() {
  composer = new Composer({
    label: 'Message',
    send: sendMessage,
    members: () =>
      [...view.members.values()].map((m) => m.user).filter((u) => u && u.id !== state.me?.id),
    onTyping: () => view.cid && socketSend({ type: 'typing', channel_id: view.cid }),
    onEditLast: editLastOwn,
  });
  dom.header = h('header', { class: 'chan-header' });
  dom.list = h('div', { class: 'msg-list' });
  dom.top = h('div', { class: 'history-edge top', role: 'status' });
  dom.bottom = h('div', { class: 'history-edge bottom' });
  dom.scroller = h(
    'div',
    { class: 'messages', tabindex: '0', role: 'region', 'aria-label': 'Messages' },
    dom.top,
    dom.list,
    dom.bottom,
  );
  dom.jump = h('button', {
    type: 'button',
    class: 'jump-latest',
    hidden: true,
    text: 'Jump to latest ↓',
    onclick: () => openChannel(view.cid),
  });
  dom.newPill = h('button', {
    type: 'button',
    class: 'new-messages',
    hidden: true,
    text: 'New messages ↓',
    onclick: () => scrollToLatest(),
  });
  dom.typing = h('div', { class: 'typing-indicator', 'aria-live': 'polite' });
  dom.announce = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  dom.empty = h(
    'div',
    { class: 'empty-pane' },
    h('h2', { text: 'Welcome to TeamChat' }),
    h('p', { text: 'Pick a channel or a person on the left, or create a channel to start.' }),
  );
  dom.pane = h(
    'main',
    { class: 'pane', id: 'main' },
    dom.header,
    dom.empty,
    dom.scroller,
    dom.jump,
    dom.newPill,
    dom.typing,
    composer.el,
    dom.announce,
  );
  dom.scroller.hidden = true;
  composer.el.hidden = true;
  dom.scroller.addEventListener('scroll', onScroll, { passive: true });
  // Any change of size (the thread pane narrowing the list, a resize, the composer
  // growing, images or wrapping) keeps a pinned reader at the bottom.
  const keepPinned = new ResizeObserver(() => {
    if (view.pinned && !dom.scroller.hidden) stickToBottom();
  });
  keepPinned.observe(dom.scroller);
  keepPinned.observe(dom.list);
  return dom.pane;
}

export function currentChannelId() {
  return view.cid;
}

export function focusComposer() {
  composer?.focus();
}

function atBottom() {
  const s = dom.scroller;
  return s.scrollHeight - s.scrollTop - s.clientHeight < 40;
}

function stickToBottom() {
  const s = dom.scroller;
  s.scrollTop = s.scrollHeight;
}

function scrollToLatest() {
  view.pinned = true;
  dom.newPill.hidden = true;
  stickToBottom();
  markSeen();
}

// True when a new message in `cid` is being looked at right now (no unread needed).
export function isChannelBeingSeen(cid) {
  return (
    cid === view.cid &&
    !document.hidden &&
    !view.hasMoreAfter &&
    !dom.scroller.hidden &&
    (view.pinned || atBottom())
  );
}

function reset(cid) {
  view.cid = cid;
  view.token += 1;
  view.msgs = [];
  view.byId = new Map();
  view.pending = [];
  view.members = new Map();
  view.hasMoreBefore = false;
  view.hasMoreAfter = false;
  view.loadingOlder = false;
  view.loadingNewer = false;
  view.unreadAfterSeq = null;
  view.pinned = true;
  if (dom.newPill) dom.newPill.hidden = true;
  for (const t of view.typing.values()) clearTimeout(t);
  view.typing.clear();
  drawTyping();
}

function merge(messages) {
  for (const m of messages || []) {
    if (!m || m.channel_id !== view.cid || m.thread_root_id) continue;
    rememberUser(m.author);
    if (m.client_msg_id) view.pending = view.pending.filter((p) => p.client_msg_id !== m.client_msg_id);
    const existing = view.byId.get(m.id);
    if (existing) {
      Object.assign(existing, m);
      continue;
    }
    view.byId.set(m.id, m);
    view.msgs.push(m);
  }
  view.msgs.sort((a, b) => a.seq - b.seq);
}

// A control focused inside the list, told apart from its look-alikes in its message,
// so that a redraw (which replaces every node) can hand focus to its replacement: a
// keyboard user must not be thrown out of the list by a read receipt arriving.
function focusInList() {
  const el = document.activeElement;
  const msg = el && dom.list.contains(el) ? el.closest('.msg[id]') : null;
  if (!msg) return null;
  const key = { msg: msg.id, tag: el.tagName, label: el.getAttribute('aria-label'), text: el.textContent };
  return { ...key, index: lookAlikes(msg, key).indexOf(el) };
}

function lookAlikes(msg, key) {
  return [...msg.querySelectorAll(key.tag)].filter(
    (x) => x.getAttribute('aria-label') === key.label && x.textContent === key.text,
  );
}

function restoreFocus(key) {
  if (!key || (document.activeElement && dom.list.contains(document.activeElement))) return;
  const msg = document.getElementById(key.msg);
  if (!msg) return;
  const same = lookAlikes(msg, key);
  (same[key.index] || same[0])?.focus({ preventScroll: true });
}

// Redraw, keeping what the reader looks at in place (or stuck to the bottom).
function render({ stick } = {}) {
  const s = dom.scroller;
  const stickBottom = stick ?? (view.pinned && !view.hasMoreAfter);
  let anchor = null;
  if (!stickBottom) {
    for (const el of dom.list.querySelectorAll('.msg[data-id]')) {
      if (el.offsetTop + el.offsetHeight > s.scrollTop) {
        anchor = { id: el.dataset.id, offset: el.offsetTop - s.scrollTop };
        break;
      }
    }
  }
  const editing = dom.list.querySelector('.msg.editing');
  const focused = focusInList();
  const nodes = buildTimeline(view, onAction);
  if (editing) {
    const i = nodes.findIndex((n) => n.id === editing.id);
    if (i >= 0) nodes[i] = editing; // keep an open inline editor and what is typed in it
  }
  dom.list.replaceChildren(...nodes);
  restoreFocus(focused);
  drawEdges();
  if (stickBottom) {
    view.pinned = true;
    stickToBottom();
  } else if (anchor) {
    const el = document.getElementById(`msg-${anchor.id}`);
    if (el) s.scrollTop = el.offsetTop - anchor.offset;
  }
  dom.jump.hidden = !view.hasMoreAfter;
}

function drawEdges() {
  const ch = state.channels.get(view.cid);
  if (view.loadingOlder) dom.top.textContent = 'Loading earlier messages…';
  else if (view.hasMoreBefore) dom.top.textContent = '';
  else {
    dom.top.replaceChildren(h('strong', { text: 'This is the very beginning of the conversation.' }));
    if (ch && ch.topic) dom.top.append(h('div', { class: 'muted', text: ch.topic }));
  }
  dom.bottom.textContent = view.loadingNewer ? 'Loading newer messages…' : '';
}

export async function openChannel(cid, { aroundSeq = null, highlightId = null } = {}) {
  reset(cid);
  state.currentChannelId = cid;
  closeThreadOutside(cid); // a thread of the channel left behind must not stay answerable
  const token = view.token;
  dom.empty.hidden = Boolean(cid);
  dom.scroller.hidden = !cid;
  composer.el.hidden = !cid;
  if (!cid) {
    dom.header.replaceChildren();
    return;
  }
  let channel = state.channels.get(cid);
  dom.list.replaceChildren();
  dom.top.textContent = 'Loading…';
  try {
    if (!channel) channel = upsertChannel(await api.channel(cid));
    if (token !== view.token) return;
    dom.header.replaceChildren(...channelHeader(channel));
    dom.scroller.setAttribute('aria-label', `Messages`);
    composer.setDraftKey(`teamchat.draft.${cid}`);
    composer.area.placeholder = `Message ${channelTitleShort(channel)}`;
    view.unreadAfterSeq = channel.unread_count > 0 ? Number(channel.last_read_seq || 0) : null;
    const params = { limit: PAGE };
    if (aroundSeq !== null) params.around = aroundSeq;
    else if (channel.unread_count > PAGE / 2 && channel.last_read_seq > 0) {
      params.around = channel.last_read_seq;
    }
    const [page] = await Promise.all([api.messages(cid, params), loadMembers(token)]);
    if (token !== view.token) return;
    merge(page.messages);
    view.hasMoreBefore = Boolean(page.has_more_before);
    view.hasMoreAfter = Boolean(page.has_more_after);
    render({ stick: true });
    placeInitialScroll(highlightId);
    await fillViewport(token);
    markSeen();
    emit('channel:opened', cid);
  } catch (err) {
    if (token !== view.token) return;
    dom.top.replaceChildren(
      h('p', { class: 'form-error', role: 'alert', text: `Could not open this conversation: ${errorText(err)}` }),
      h('button', { type: 'button', text: 'Try again', onclick: () => openChannel(cid, { aroundSeq, highlightId }) }),
    );
  }
}

function channelTitleShort(channel) {
  if (channel.kind === 'dm' || channel.kind === 'group') {
    return (channel.dm_users || []).map(displayName).join(', ') || 'yourself';
  }
  return `#${channel.name}`;
}

function placeInitialScroll(highlightId) {
  const s = dom.scroller;
  const target = highlightId ? document.getElementById(`msg-${highlightId}`) : null;
  if (target) {
    target.scrollIntoView({ block: 'center' });
    target.classList.add('flash');
    target.focus({ preventScroll: true });
    setTimeout(() => target.classList.remove('flash'), 2500);
    view.pinned = atBottom() && !view.hasMoreAfter;
    return;
  }
  const line = document.getElementById('unread-line');
  if (line) s.scrollTop = Math.max(0, line.offsetTop - 80);
  else s.scrollTop = s.scrollHeight;
  view.pinned = atBottom() && !view.hasMoreAfter;
}

async function fillViewport(token) {
  for (let i = 0; i < 5; i += 1) {
    if (token !== view.token || !view.hasMoreBefore) return;
    if (dom.scroller.scrollHeight > dom.scroller.clientHeight + 50) return;
    await loadOlder();
  }
}

async function loadMembers(token = view.token) {
  const cid = view.cid;
  try {
    const res = await api.channelMembers(cid);
    if (token !== view.token) return;
    view.members = new Map();
    for (const m of res.members || []) {
      rememberUser(m.user);
      if (m.presence) setPresence(m.user.id, m.presence);
      view.members.set(m.user.id, m);
    }
  } catch (err) {
    console.warn('members failed', err);
  }
}

export function channelMembers() {
  return [...view.members.values()];
}

async function loadOlder() {
  if (view.loadingOlder || !view.hasMoreBefore || !view.msgs.length) return;
  const token = view.token;
  view.loadingOlder = true;
  drawEdges();
  try {
    const res = await api.messages(view.cid, { before: view.msgs[0].seq, limit: PAGE });
    if (token !== view.token) return;
    merge(res.messages);
    view.hasMoreBefore = Boolean(res.has_more_before);
  } catch (err) {
    dom.top.textContent = `Could not load earlier messages: ${errorText(err)}`;
  } finally {
    if (token === view.token) {
      view.loadingOlder = false;
      render(); // a pinned reader stays at the bottom, anyone else keeps their place
    }
  }
}

async function loadNewer() {
  if (view.loadingNewer || !view.hasMoreAfter || !view.msgs.length) return;
  const token = view.token;
  view.loadingNewer = true;
  drawEdges();
  try {
    const res = await api.messages(view.cid, { after: view.msgs[view.msgs.length - 1].seq, limit: PAGE });
    if (token !== view.token) return;
    merge(res.messages);
    view.hasMoreAfter = Boolean(res.has_more_after);
  } catch (err) {
    dom.bottom.textContent = `Could not load newer messages: ${errorText(err)}`;
  } finally {
    if (token === view.token) {
      view.loadingNewer = false;
      render({ stick: false });
      markSeen();
    }
  }
}

function onScroll() {
  const s = dom.scroller;
  view.pinned = atBottom() && !view.hasMoreAfter;
  if (view.pinned) dom.newPill.hidden = true;
  if (s.scrollTop < NEAR_EDGE_PX) loadOlder();
  if (s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_EDGE_PX) loadNewer();
  markSeenSoon();
}

// Mark read up to the last message the reader can see.
export async function markSeen() {
  const cid = view.cid;
  if (!cid || document.hidden || dom.scroller.hidden || view.markingRead) return;
  const channel = state.channels.get(cid);
  if (!channel) return;
  const s = dom.scroller;
  const bottom = s.scrollTop + s.clientHeight;
  let seq = 0;
  for (const el of dom.list.querySelectorAll('.msg[data-seq]')) {
    const top = el.offsetTop;
    if (top < bottom - 10 && el.dataset.seq) seq = Math.max(seq, Number(el.dataset.seq));
  }
  if (atBottom() && !view.hasMoreAfter) {
    seq = Math.max(seq, Number(channel.last_seq || 0), Number(state.lastSeq.get(cid) || 0));
  }
  if (!seq || seq <= Number(channel.last_read_seq || 0)) return;
  view.markingRead = true;
  try {
    const res = await api.markRead(cid, seq);
    const ch = state.channels.get(cid);
    if (ch) {
      ch.last_read_seq = Math.max(Number(ch.last_read_seq || 0), Number(res.last_read_seq || seq));
      if (ch.last_read_seq >= Number(ch.last_seq || 0)) {
        ch.unread_count = 0;
        ch.mention_count = 0;
      }
      emit('channels:changed');
      refreshCountsSoon(cid);
    }
  } catch (err) {
    console.warn('mark read failed', err);
  } finally {
    view.markingRead = false;
  }
}

const markSeenSoon = debounce(markSeen, 250);

const refreshCountsSoon = debounce(async (cid) => {
  try {
    upsertChannel(await api.channel(cid));
    emit('channels:changed');
  } catch {
    // counts stay as they are
  }
}, 800);

async function sendMessage(text, clientMsgId) {
  const cid = view.cid;
  const pending = {
    client_msg_id: clientMsgId,
    channel_id: cid,
    text,
    author: state.me,
    created_at: new Date().toISOString(),
    pending: true,
    mentions: [],
    reactions: [],
  };
  if (!view.hasMoreAfter) {
    view.pending.push(pending);
    render({ stick: true });
  }
  try {
    const msg = await api.postMessage(cid, text, clientMsgId);
    if (view.cid !== cid) return msg;
    view.pending = view.pending.filter((p) => p !== pending);
    if (view.hasMoreAfter) {
      await openChannel(cid);
      return msg;
    }
    merge([msg]);
    render({ stick: true });
    markSeenSoon();
    return msg;
  } catch (err) {
    if (view.cid === cid) {
      view.pending = view.pending.filter((p) => p !== pending);
      render();
    }
    throw err;
  }
}

function editLastOwn() {
  for (let i = view.msgs.length - 1; i >= 0; i -= 1) {
    const m = view.msgs[i];
    if (m.author && state.me && m.author.id === state.me.id && !m.deleted) {
      const el = document.getElementById(`msg-${m.id}`);
      if (el) {
        el.scrollIntoView({ block: 'nearest' });
        handleAction('edit', m, el);
      }
      return;
    }
  }
}

function drawTyping() {
  if (!dom.typing) return;
  const names = [...view.typing.keys()]
    .map((uid) => view.members.get(uid)?.user || state.users.get(uid))
    .filter(Boolean)
    .map(displayName);
  let text = '';
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else if (names.length > 2) text = 'Several people are typing…';
  dom.typing.textContent = text;
}

function stopTyping(uid) {
  clearTimeout(view.typing.get(uid));
  if (view.typing.delete(uid)) drawTyping();
}

function applyUpdate(m) {
  const existing = view.byId.get(m.id);
  if (!existing) return false;
  Object.assign(existing, m);
  return true;
}

function onFrame(f) {
  if (!f.channel_id || f.channel_id !== view.cid) return;
  const d = f.data || {};
  switch (f.type) {
    case 'message.posted': {
      if (d.thread_root_id || view.hasMoreAfter) {
        if (view.hasMoreAfter) dom.jump.hidden = false;
        return;
      }
      const wasSeen = isChannelBeingSeen(view.cid);
      merge([d]);
      stopTyping(d.author?.id);
      render();
      const mine = d.author && state.me && d.author.id === state.me.id;
      if (!view.pinned && !mine) dom.newPill.hidden = false;
      if (d.author && state.me && d.author.id !== state.me.id) {
        dom.announce.textContent = `${displayName(d.author)}: ${d.text}`;
      }
      if (wasSeen) markSeenSoon();
      return;
    }
    case 'message.edited':
      if (applyUpdate(d)) render();
      return;
    case 'message.deleted':
      if (applyUpdate({ id: d.id, deleted: true, text: '', reactions: [], mentions: [] })) render();
      return;
    case 'message.hidden': {
      const m = view.byId.get(d.id);
      if (!m) return;
      view.byId.delete(d.id);
      view.msgs = view.msgs.filter((x) => x.id !== d.id);
      render();
      return;
    }
    case 'reaction.added':
    case 'reaction.removed':
      if (applyUpdate({ id: d.message_id, reactions: d.reactions })) render();
      return;
    case 'read.updated': {
      const m = view.members.get(d.user_id);
      if (m) {
        m.last_read_seq = Math.max(Number(m.last_read_seq || 0), Number(d.last_read_seq || 0));
        render();
      }
      return;
    }
    case 'member.joined':
      if (d.user) {
        rememberUser(d.user);
        view.members.set(d.user.id, { user: d.user, last_read_seq: 0, presence: 'online' });
        dom.header.replaceChildren(...channelHeader(state.channels.get(view.cid)));
      }
      return;
    case 'member.left':
      if (d.user) {
        view.members.delete(d.user.id);
        render();
      }
      return;
    case 'typing': {
      const uid = d.user_id;
      if (!uid || (state.me && uid === state.me.id)) return;
      clearTimeout(view.typing.get(uid));
      view.typing.set(uid, setTimeout(() => stopTyping(uid), 6000));
      drawTyping();
      return;
    }
    default:
  }
}

export function initMessages() {
  on('frame', onFrame);
  on('message:update', (m) => {
    if (m.channel_id && m.channel_id !== view.cid) return;
    if (applyUpdate(m)) render();
  });
  on('message:remove', ({ id }) => {
    if (!view.byId.has(id)) return;
    view.byId.delete(id);
    view.msgs = view.msgs.filter((x) => x.id !== id);
    render();
  });
  on('socket:ready', async ({ reconnect }) => {
    if (!reconnect || !view.cid) return;
    await loadMembers(); // read pointers move without sequence numbers
    render();
    markSeen();
  });
  on('presence', () => {
    if (view.cid) dom.header.replaceChildren(...channelHeader(state.channels.get(view.cid)));
  });
  on('channels:changed', () => {
    const ch = state.channels.get(view.cid);
    if (ch) dom.header.replaceChildren(...channelHeader(ch));
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) markSeen();
  });
  window.addEventListener('focus', () => markSeen());
}
