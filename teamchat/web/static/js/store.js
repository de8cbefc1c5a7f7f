// Shared client state and a tiny event bus that the view modules listen on.

export const state = {
  me: null,
  workspaces: [],
  workspace: null,
  channels: new Map(), // cid -> channel
  currentChannelId: null,
  users: new Map(), // uid -> user
  presence: new Map(), // uid -> 'online' | 'away' | 'offline'
  contacts: new Map(), // uid -> user
  wsMembers: new Map(), // uid -> {user, role}
  lastSeq: new Map(), // cid -> highest event seq applied (sent on resume)
  connection: 'connecting',
};

const listeners = new Map();

export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  return () => listeners.get(type).delete(fn);
}

export function emit(type, payload) {
  for (const fn of listeners.get(type) || []) {
    try {
      fn(payload);
    } catch (err) {
      console.error(`listener for ${type} failed`, err);
    }
  }
}

export function rememberUser(user) {
  if (!user || !user.id) return user;
  const merged = { ...(state.users.get(user.id) || {}), ...user };
  state.users.set(user.id, merged);
  return merged;
}

export function defaultAvatar(uid) {
  return `/api/v1/users/${encodeURIComponent(uid)}/avatar.svg`;
}

export function userById(uid) {
  return (
    state.users.get(uid) || {
      id: uid,
      username: 'unknown',
      display_name: 'Unknown user',
      avatar_url: defaultAvatar(uid),
    }
  );
}

export function displayName(user) {
  if (!user) return 'Unknown user';
  return user.display_name || user.username || 'Unknown user';
}

export function presenceOf(uid) {
  return state.presence.get(uid) || 'offline';
}

export function setPresence(uid, presence) {
  if (!uid || !presence) return;
  state.presence.set(uid, presence);
}

export function isDirect(channel) {
  return channel && (channel.kind === 'dm' || channel.kind === 'group');
}

export function channelTitle(channel) {
  if (!channel) return '';
  if (isDirect(channel)) {
    const others = (channel.dm_users || []).map(displayName);
    if (!others.length) return `${displayName(state.me)} (you)`;
    return others.join(', ');
  }
  return `#${channel.name}`;
}

export function upsertChannel(channel) {
  const prev = state.channels.get(channel.id) || {};
  const merged = { ...prev, ...channel };
  for (const u of merged.dm_users || []) rememberUser(u);
  state.channels.set(channel.id, merged);
  if (!state.lastSeq.has(channel.id) && typeof merged.last_seq === 'number') {
    state.lastSeq.set(channel.id, merged.last_seq);
  }
  return merged;
}

export function mentionsMe(message) {
  if (!message || !state.me) return false;
  return (message.mentions || []).some(
    (m) =>
      (m.kind === 'user' && m.user_id === state.me.id) ||
      m.kind === 'channel' ||
      m.kind === 'all' ||
      m.kind === 'here',
  );
}

export function isAdmin() {
  return state.workspace && state.workspace.role === 'admin';
}
