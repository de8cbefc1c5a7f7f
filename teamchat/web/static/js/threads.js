// The thread panel: a root message, its replies, and a composer that replies.

import { handleAction } from './actions.js';
import { api } from './api.js';
import { Composer } from './composer.js';
import { closePanel, panelKind, showPanel } from './panel.js';
import { messageElement, sameGroup } from './render.js';
import { send as socketSend } from './socket.js';
import { on, rememberUser, state } from './store.js';
import { errorText, h } from './util.js';

const th = { root: null, channelId: null, replies: [], token: 0, list: null, composer: null };

const onAction = (action, msg, anchor, emoji) => handleAction(action, msg, anchor, emoji, {});

function composerFor() {
  if (th.composer) return th.composer;
  th.composer = new Composer({
    label: 'Reply in thread',
    placeholder: 'Reply…',
    send: sendReply,
    members: () =>
      [...state.wsMembers.values()].map((m) => m.user).filter((u) => u.id !== state.me?.id),
    onTyping: () => th.root && socketSend({ type: 'typing', channel_id: th.root.channel_id }),
  });
  return th.composer;
}

export function openThreadId() {
  return panelKind() === 'thread' && th.root ? th.root.id : null;
}

// Switching channels closes a thread of another channel (search results stay open).
export function closeThreadOutside(cid) {
  if (panelKind() === 'thread' && th.channelId !== cid) closePanel();
}

export async function openThread(msg) {
  const rootId = msg.thread_root_id || msg.id;
  th.token += 1;
  const token = th.token;
  th.root = msg.thread_root_id ? null : msg;
  th.channelId = msg.channel_id;
  th.replies = [];
  th.list = h('div', { class: 'thread-list', role: 'region', 'aria-label': 'Thread messages' });
  const composer = composerFor();
  composer.setDraftKey(`teamchat.draft.thread.${rootId}`);
  const body = h('div', { class: 'thread' }, th.list, composer.el);
  showPanel('thread', 'Thread', body, () => {
    th.composer?.saveDraft();
    th.root = null;
  });
  th.list.textContent = 'Loading thread…';
  try {
    const res = await api.thread(rootId);
    if (token !== th.token) return;
    th.root = res.root;
    th.replies = [];
    for (const r of res.replies || []) upsertReply(r);
    let more = res.has_more;
    while (more && token === th.token && th.replies.length) {
      const next = await api.thread(rootId, th.replies[th.replies.length - 1].seq);
      for (const r of next.replies || []) upsertReply(r);
      more = next.has_more && (next.replies || []).length > 0;
    }
    if (token !== th.token) return;
    render(true);
    composer.focus();
  } catch (err) {
    if (token !== th.token) return;
    th.list.replaceChildren(
      h('p', { class: 'form-error', role: 'alert', text: `Could not open the thread: ${errorText(err)}` }),
    );
  }
}

function render(stick) {
  if (!th.list || !th.root) return;
  const s = th.list;
  const atBottom = stick || s.scrollHeight - s.scrollTop - s.clientHeight < 40;
  const editing = s.querySelector('.msg.editing');
  const nodes = [messageElement(th.root, { context: 'thread', onAction })];
  const n = th.root.reply_count ?? th.replies.length;
  nodes.push(
    h('div', { class: 'day-divider', role: 'separator' }, h('span', { text: `${n} ${n === 1 ? 'reply' : 'replies'}` })),
  );
  let prev = null;
  for (const r of th.replies) {
    nodes.push(messageElement(r, { context: 'thread', grouped: sameGroup(prev, r), onAction }));
    prev = r;
  }
  if (editing) {
    const i = nodes.findIndex((x) => x.id === editing.id);
    if (i >= 0) nodes[i] = editing;
  }
  s.replaceChildren(...nodes);
  if (atBottom) s.scrollTop = s.scrollHeight;
}

function upsertReply(m) {
  rememberUser(m.author);
  const i = th.replies.findIndex((r) => r.id === m.id);
  if (i >= 0) th.replies[i] = { ...th.replies[i], ...m };
  else {
    th.replies.push(m);
    th.replies.sort((a, b) => a.seq - b.seq);
  }
}

async function sendReply(text, clientMsgId) {
  const root = th.root;
  if (!root) throw new Error('The thread is not loaded yet.');
  const msg = await api.postMessage(root.channel_id, text, clientMsgId, root.id);
  if (th.root && th.root.id === root.id) {
    upsertReply(msg);
    render(true);
  }
  return msg;
}

function update(m) {
  if (!th.root) return false;
  if (m.id === th.root.id) {
    th.root = { ...th.root, ...m };
    return true;
  }
  const i = th.replies.findIndex((r) => r.id === m.id);
  if (i < 0) return false;
  th.replies[i] = { ...th.replies[i], ...m };
  return true;
}

function remove(id) {
  if (!th.root) return;
  if (id === th.root.id) {
    closePanel();
    return;
  }
  const before = th.replies.length;
  th.replies = th.replies.filter((r) => r.id !== id);
  if (th.replies.length !== before) render();
}

function onFrame(f) {
  if (!th.root || f.channel_id !== th.root.channel_id) return;
  const d = f.data || {};
  switch (f.type) {
    case 'message.posted':
      if (d.thread_root_id === th.root.id) {
        upsertReply(d);
        render();
      }
      return;
    case 'message.edited':
      if (update(d)) render();
      return;
    case 'message.deleted':
      if (update({ id: d.id, deleted: true, text: '', reactions: [], mentions: [] })) render();
      return;
    case 'message.hidden':
      remove(d.id);
      return;
    case 'reaction.added':
    case 'reaction.removed':
      if (update({ id: d.message_id, reactions: d.reactions })) render();
      return;
    default:
  }
}

export function initThreads() {
  on('frame', onFrame);
  on('message:update', (m) => {
    if (update(m)) render();
  });
  on('message:remove', ({ id }) => remove(id));
}
