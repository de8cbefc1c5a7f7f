// The sidebar: workspace picker, channels and chats with live unread/mention
// badges, contacts with presence, and the entry points to every dialog.

import { api } from './api.js';
import { confirmDialog } from './dialogs.js';
import { isChannelBeingSeen } from './messages.js';
import { icon } from './icons.js';
import { avatar, presenceDot } from './render.js';
import { openMentions } from './search.js';
import {
  addContactDialog,
  addWorkspaceMemberDialog,
  browseChannelsDialog,
  createChannelDialog,
  createWorkspaceDialog,
  newChatDialog,
  profileDialog,
  startChat,
} from './sidebar-dialogs.js';
import {
  channelTitle,
  displayName,
  emit,
  isAdmin,
  isDirect,
  mentionsMe,
  on,
  presenceOf,
  rememberUser,
  setPresence,
  state,
  upsertChannel,
} from './store.js';
import { debounce, errorText, h, toast } from './util.js';

let root = null;

export function sidebarElement() {
  root = h('nav', { class: 'sidebar', id: 'sidebar', 'aria-label': 'Workspace navigation' });
  return root;
}

function sectionHeader(title, buttons) {
  return h('div', { class: 'section-head' }, h('h2', { text: title }), h('div', {}, buttons));
}

function iconButton(label, text, onclick, key) {
  return h('button', {
    type: 'button',
    class: 'icon',
    'aria-label': label,
    title: label,
    text,
    onclick,
    dataset: { key },
  });
}

function badges(ch) {
  const out = [];
  if (ch.mention_count > 0) {
    out.push(h('span', { class: 'badge mention', text: `@${ch.mention_count}` }));
  }
  if (ch.unread_count > 0) out.push(h('span', { class: 'badge unread', text: String(ch.unread_count) }));
  return out;
}

function channelLabel(ch) {
  const parts = [isDirect(ch) ? channelTitle(ch) : `${ch.kind === 'private' ? 'private ' : ''}channel ${ch.name}`];
  if (ch.unread_count > 0) parts.push(`${ch.unread_count} unread`);
  if (ch.mention_count > 0) parts.push(`${ch.mention_count} mentions`);
  return parts.join(', ');
}

function channelItem(ch) {
  const current = ch.id === state.currentChannelId;
  const mark = (() => {
    // A DM with nobody else is a note to yourself: it gets your own person icon.
    if (ch.kind === 'dm' && (ch.dm_users || []).length <= 1) {
      const u = (ch.dm_users || [])[0] || state.me;
      if (u) return h('span', { class: 'dm-icon' }, avatar(u, 'xs'), presenceDot(presenceOf(u.id)));
    }
    const kind = ch.kind === 'group' ? 'people' : ch.kind === 'private' ? 'lock' : 'hash';
    return h('span', { class: 'chan-icon', dataset: { icon: kind } }, icon(kind));
  })();
  const name = isDirect(ch) ? channelTitle(ch) : ch.name;
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: `chan-item${current ? ' current' : ''}${ch.unread_count > 0 ? ' unread' : ''}`,
        'aria-current': current ? 'page' : undefined,
        'aria-label': channelLabel(ch),
        dataset: { key: `c:${ch.id}`, channelId: ch.id },
        onclick: () => emit('navigate', { cid: ch.id }),
      },
      mark,
      h('span', { class: 'chan-name', text: name }),
      badges(ch),
    ),
  );
}

function contactItem(user) {
  return h(
    'li',
    { class: 'contact-row' },
    h(
      'button',
      {
        type: 'button',
        class: 'chan-item contact',
        'aria-label': `Chat with ${displayName(user)}, ${presenceOf(user.id)}`,
        dataset: { key: `u:${user.id}`, userId: user.id },
        onclick: () => startChat([user.id]).catch((err) => toast(`Could not open the chat: ${errorText(err)}`)),
      },
      h('span', { class: 'dm-icon' }, avatar(user, 'xs'), presenceDot(presenceOf(user.id))),
      h('span', { class: 'chan-name', text: displayName(user) }),
    ),
    iconButton(`Remove ${displayName(user)} from contacts`, '×', () => removeContact(user), `x:${user.id}`),
  );
}

async function removeContact(user) {
  const ok = await confirmDialog('Remove contact?', `Remove ${displayName(user)} from your contacts?`, 'Remove');
  if (!ok) return;
  try {
    await api.removeContact(user.id);
    state.contacts.delete(user.id);
    render();
  } catch (err) {
    toast(`Could not remove the contact: ${errorText(err)}`);
  }
}

function workspacePicker() {
  const select = h(
    'select',
    {
      class: 'ws-select',
      'aria-label': 'Workspace',
      title: state.workspace ? state.workspace.name : undefined, // the full name when it is cut
      dataset: { key: 'ws' },
    },
    state.workspaces.map((w) =>
      h('option', { value: w.id, text: w.name, selected: state.workspace && w.id === state.workspace.id }),
    ),
    h('option', { value: '__new__', text: '+ Create a workspace…' }),
  );
  select.addEventListener('change', () => {
    if (select.value === '__new__') {
      select.value = state.workspace ? state.workspace.id : '';
      createWorkspaceDialog();
    } else emit('workspace:select', select.value);
  });
  return select;
}

function byName(a, b) {
  return channelTitle(a).localeCompare(channelTitle(b));
}

export function render() {
  if (!root) return;
  const focusedKey = document.activeElement && root.contains(document.activeElement)
    ? document.activeElement.dataset.key
    : null;
  const all = [...state.channels.values()];
  const channels = all.filter((c) => !isDirect(c)).sort(byName);
  const dms = all.filter(isDirect).sort(byName);
  const contacts = [...state.contacts.values()].sort((a, b) => displayName(a).localeCompare(displayName(b)));
  const me = state.me;
  root.replaceChildren(
    h(
      'div',
      { class: 'ws-head' },
      workspacePicker(),
      isAdmin()
        ? h(
            'button',
            {
              type: 'button',
              class: 'invite icon',
              title: 'Add a member to this workspace',
              'aria-label': 'Add a member to this workspace',
              dataset: { key: 'add-member' },
              onclick: addWorkspaceMemberDialog,
            },
            icon('person-add', { size: '16' }),
          )
        : null,
    ),
    h(
      'div',
      { class: 'nav-links' },
      h('button', {
        type: 'button',
        class: 'chan-item',
        text: '@ Mentions',
        'aria-label': 'Mentions of me',
        dataset: { key: 'mentions' },
        onclick: openMentions,
      }),
      h('button', {
        type: 'button',
        class: 'chan-item',
        text: '# Browse channels',
        dataset: { key: 'browse' },
        onclick: browseChannelsDialog,
      }),
    ),
    h(
      'section',
      { 'aria-label': 'Channels' },
      sectionHeader('Channels', iconButton('Create a channel', '+', createChannelDialog, 'new-channel')),
      h('ul', { class: 'chan-list' }, channels.map(channelItem)),
      channels.length ? null : h('p', { class: 'muted small pad', text: 'No channels yet: create or browse one.' }),
    ),
    h(
      'section',
      { 'aria-label': 'Direct messages' },
      sectionHeader('Direct messages', iconButton('New direct message', '+', newChatDialog, 'new-dm')),
      h('ul', { class: 'chan-list' }, dms.map(channelItem)),
    ),
    h(
      'section',
      { 'aria-label': 'Contacts' },
      sectionHeader('Contacts', iconButton('Add a contact', '+', addContactDialog, 'add-contact')),
      h('ul', { class: 'chan-list' }, contacts.map(contactItem)),
      contacts.length ? null : h('p', { class: 'muted small pad', text: 'Add people you talk to often.' }),
    ),
    h(
      'div',
      { class: 'me-box' },
      me ? h('span', { class: 'dm-icon' }, avatar(me, 'sm'), presenceDot(presenceOf(me.id))) : null,
      h('span', { class: 'chan-name', text: me ? displayName(me) : '' }),
      iconButton('Edit your profile', '✎', profileDialog, 'profile'),
      h('button', {
        type: 'button',
        class: 'icon logout',
        text: 'Log out',
        dataset: { key: 'logout' },
        onclick: () => emit('logout'),
      }),
    ),
  );
  if (focusedKey) root.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
  const unread = all.reduce((n, c) => n + (c.unread_count > 0 ? 1 : 0), 0);
  document.title = `${unread ? `(${unread}) ` : ''}${state.workspace ? state.workspace.name : ''} · TeamChat`;
}

const renderSoon = debounce(render, 30);

const pendingRefresh = new Set();
const refreshCounts = debounce(async () => {
  const ids = [...pendingRefresh];
  pendingRefresh.clear();
  for (const cid of ids) {
    try {
      const ch = await api.channel(cid);
      if (state.workspace && ch.workspace_id !== state.workspace.id) continue;
      upsertChannel(ch);
    } catch (err) {
      if (err.status === 403 || err.status === 404) state.channels.delete(cid);
    }
  }
  emit('channels:changed');
}, 500);

function refreshChannel(cid) {
  pendingRefresh.add(cid);
  refreshCounts();
}

async function fetchUnknownChannel(cid) {
  if (pendingRefresh.has(cid)) return;
  refreshChannel(cid);
}

function removeChannel(cid) {
  state.channels.delete(cid);
  state.lastSeq.delete(cid);
  renderSoon();
  if (state.currentChannelId === cid) {
    const next = [...state.channels.values()].find((c) => !isDirect(c)) || state.channels.values().next().value;
    emit('navigate', { cid: next ? next.id : null });
  }
}

function onFrame(f) {
  const d = f.data || {};
  if (f.type === 'presence.changed') {
    setPresence(d.user_id, d.presence);
    emit('presence', d);
    renderSoon();
    return;
  }
  if (f.type === 'channel.created') {
    // The payload's per-member fields (dm_users, counts) may be someone else's view:
    // read the channel as this user sees it.
    if (d && d.id && (!state.workspace || d.workspace_id === state.workspace.id)) {
      refreshChannel(d.id);
    }
    return;
  }
  const cid = f.channel_id;
  if (!cid) return;
  const ch = state.channels.get(cid);
  if (!ch) {
    if (f.type === 'member.joined' || f.type === 'message.posted') fetchUnknownChannel(cid);
    return;
  }
  // Counts fetched from the server already include events up to its last_seq.
  const known = typeof f.seq === 'number' && f.seq <= Number(ch.last_seq || 0);
  if (typeof f.seq === 'number') ch.last_seq = Math.max(Number(ch.last_seq || 0), f.seq);
  const mine = (uid) => state.me && uid === state.me.id;
  switch (f.type) {
    case 'message.posted':
      if (known || d.thread_root_id || (d.author && mine(d.author.id))) break;
      if (isChannelBeingSeen(cid)) break;
      ch.unread_count = Number(ch.unread_count || 0) + 1;
      if (mentionsMe(d)) ch.mention_count = Number(ch.mention_count || 0) + 1;
      renderSoon();
      break;
    case 'message.deleted':
    case 'message.hidden':
      if (ch.unread_count > 0 || ch.mention_count > 0) refreshChannel(cid);
      break;
    case 'read.updated':
      if (mine(d.user_id)) {
        ch.last_read_seq = Math.max(Number(ch.last_read_seq || 0), Number(d.last_read_seq || 0));
        refreshChannel(cid);
      }
      break;
    case 'member.left':
      if (d.user && mine(d.user.id)) removeChannel(cid);
      else refreshChannel(cid);
      break;
    case 'member.joined':
      refreshChannel(cid);
      break;
    default:
  }
}

export async function reloadWorkspaceData() {
  const wid = state.workspace.id;
  const [chs, members, contacts] = await Promise.all([
    api.channels(wid),
    api.workspaceMembers(wid),
    api.contacts(),
  ]);
  if (!state.workspace || state.workspace.id !== wid) return;
  const seen = new Set();
  for (const c of chs.channels || []) {
    upsertChannel(c);
    seen.add(c.id);
  }
  for (const cid of [...state.channels.keys()]) if (!seen.has(cid)) state.channels.delete(cid);
  state.wsMembers = new Map();
  for (const m of members.members || []) {
    const user = rememberUser(m.user);
    state.wsMembers.set(user.id, { user, role: m.role });
    if (m.presence) setPresence(user.id, m.presence);
  }
  state.contacts = new Map();
  for (const c of contacts.contacts || []) {
    const user = rememberUser(c.user);
    state.contacts.set(user.id, user);
    if (c.presence) setPresence(user.id, c.presence);
  }
  render();
}

export function initSidebar() {
  on('frame', onFrame);
  for (const ev of ['channels:changed', 'contacts:changed', 'members:changed', 'me:changed', 'channel:opened']) {
    on(ev, renderSoon);
  }
  on('channel:upsert', (ch) => {
    upsertChannel(ch);
    renderSoon();
  });
  on('channel:left', removeChannel);
  on('socket:ready', ({ reconnect }) => {
    if (reconnect && state.workspace) {
      reloadWorkspaceData().catch((err) => console.warn('reload failed', err));
    }
  });
}
