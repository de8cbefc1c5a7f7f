// The v1 JSON API: one fetch wrapper and a function per endpoint.

const TOKEN_KEY = 'teamchat.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let unauthorizedHandler = null;

export const session = {
  get token() {
    return localStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    localStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
  },
  onUnauthorized(fn) {
    unauthorizedHandler = fn;
  },
};

function query(params) {
  const usp = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') usp.set(k, String(v));
  }
  const s = usp.toString();
  return s ? `?${s}` : '';
}

const seg = (id) => encodeURIComponent(String(id));

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection.');
  }
  const raw = res.status === 204 ? '' : await res.text();
  let data = null;
  if (raw) {
    try {
      data = JSON.parse(raw);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const message = e.message || `The server answered ${res.status} ${res.statusText}.`;
    if (res.status === 401 && !path.startsWith('/auth/') && unauthorizedHandler) {
      unauthorizedHandler();
    }
    throw new ApiError(res.status, e.code || `http_${res.status}`, message);
  }
  return data;
}

const get = (p) => request('GET', p);
const post = (p, b) => request('POST', p, b ?? {});
const put = (p, b) => request('PUT', p, b);
const patch = (p, b) => request('PATCH', p, b);
const del = (p) => request('DELETE', p);

export const api = {
  register: (username, password, display_name) =>
    post('/auth/register', { username, password, display_name: display_name || undefined }),
  login: (username, password) =>
    post('/auth/login', { username, password, device: `Web (${navigator.platform || 'browser'})` }),
  logout: () => post('/auth/logout'),
  me: () => get('/me'),
  updateMe: (fields) => patch('/me', fields),

  workspaces: () => get('/workspaces'),
  createWorkspace: (name) => post('/workspaces', { name }),
  workspaceMembers: (wid) => get(`/workspaces/${seg(wid)}/members`),
  addWorkspaceMember: (wid, username) => post(`/workspaces/${seg(wid)}/members`, { username }),

  contacts: () => get('/contacts'),
  addContact: (uid) => put(`/contacts/${seg(uid)}`),
  removeContact: (uid) => del(`/contacts/${seg(uid)}`),

  channels: (wid) => get(`/workspaces/${seg(wid)}/channels`),
  publicChannels: (wid) => get(`/workspaces/${seg(wid)}/channels/public`),
  createChannel: (wid, name, isPrivate, memberIds) =>
    post(`/workspaces/${seg(wid)}/channels`, {
      name,
      private: Boolean(isPrivate),
      member_ids: memberIds && memberIds.length ? memberIds : undefined,
    }),
  openDm: (wid, userIds) => post(`/workspaces/${seg(wid)}/dms`, { user_ids: userIds }),
  channel: (cid) => get(`/channels/${seg(cid)}`),
  joinChannel: (cid) => post(`/channels/${seg(cid)}/join`),
  addChannelMembers: (cid, userIds) => post(`/channels/${seg(cid)}/members`, { user_ids: userIds }),
  leaveChannel: (cid) => post(`/channels/${seg(cid)}/leave`),
  channelMembers: (cid) => get(`/channels/${seg(cid)}/members`),

  messages: (cid, params) => get(`/channels/${seg(cid)}/messages${query(params)}`),
  postMessage: (cid, text, clientMsgId, threadRootId) =>
    post(`/channels/${seg(cid)}/messages`, {
      text,
      client_msg_id: clientMsgId,
      thread_root_id: threadRootId || undefined,
    }),
  message: (mid) => get(`/messages/${seg(mid)}`),
  editMessage: (mid, text) => patch(`/messages/${seg(mid)}`, { text }),
  deleteMessage: (mid, scope) => del(`/messages/${seg(mid)}${query({ scope })}`),
  react: (mid, emoji) => put(`/messages/${seg(mid)}/reactions/${seg(emoji)}`),
  unreact: (mid, emoji) => del(`/messages/${seg(mid)}/reactions/${seg(emoji)}`),
  markRead: (cid, seq) => post(`/channels/${seg(cid)}/read`, { seq }),
  thread: (mid, after) => get(`/messages/${seg(mid)}/thread${query({ after })}`),

  search: (wid, q, cursor, limit = 20) =>
    get(`/workspaces/${seg(wid)}/search${query({ q, cursor, limit })}`),
  mentions: (wid, cursor) => get(`/workspaces/${seg(wid)}/mentions${query({ cursor })}`),
};
