// The live connection: one WebSocket, reconnect with backoff, resume from the last
// sequence seen per channel, heartbeat. Frames are deduplicated by (channel, seq) and
// handed to the view modules as bus events: 'frame' with the frame.

import { session } from './api.js';
import { emit, state } from './store.js';

let pingEveryMs = 20000;
const SILENCE_LIMIT_MS = 45000;
const MAX_BACKOFF_MS = 30000;

let ws = null;
let attempt = 0;
let retryTimer = null;
let pingTimer = null;
let lastFrameAt = 0;
let running = false;
let helloSeen = false;

function setStatus(status, detail) {
  state.connection = status;
  document.body.dataset.connection = status;
  emit('connection', { status, detail });
}

function socketUrl() {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const token = encodeURIComponent(session.token || '');
  return `${scheme}://${window.location.host}/api/v1/ws?token=${token}`;
}

export function send(obj) {
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify(obj));
    return true;
  }
  return false;
}

function resumePayload() {
  const channels = {};
  for (const [cid, seq] of state.lastSeq) channels[cid] = seq;
  return { type: 'resume', channels };
}

function handleFrame(frame) {
  if (!frame || typeof frame !== 'object') return;
  if (frame.type === 'hello') {
    const reconnect = helloSeen;
    helloSeen = true;
    attempt = 0;
    const every = Number(frame.data && frame.data.ping_every_seconds);
    if (every > 0 && every * 1000 !== pingEveryMs) {
      pingEveryMs = Math.max(1000, Math.min(every * 1000, 30000));
      clearInterval(pingTimer);
      pingTimer = setInterval(heartbeat, pingEveryMs);
    }
    send(resumePayload());
    setStatus('online');
    emit('socket:ready', { reconnect, hello: frame });
    return;
  }
  if (frame.type === 'pong') return;
  if (frame.type === 'resumed') {
    // Channels the server would not replay are no longer readable by this user.
    for (const cid of (frame.data && frame.data.denied) || []) emit('channel:left', String(cid));
    return;
  }
  if (frame.type === 'error') {
    console.warn('server error frame', frame.data);
    return;
  }
  const cid = frame.channel_id;
  if (cid && typeof frame.seq === 'number') {
    const last = state.lastSeq.get(cid);
    if (typeof last === 'number' && frame.seq <= last) return; // already applied
    state.lastSeq.set(cid, frame.seq);
  }
  emit('frame', frame);
}

function detach(sock) {
  if (!sock) return;
  sock.onopen = null;
  sock.onmessage = null;
  sock.onclose = null;
  sock.onerror = null;
  try {
    sock.close();
  } catch {
    // already closed
  }
}

function scheduleReconnect() {
  if (!running) return;
  clearTimeout(retryTimer);
  const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt);
  const delay = Math.round(base / 2 + (Math.random() * base) / 2);
  attempt += 1;
  setStatus('reconnecting', { inMs: delay });
  retryTimer = setTimeout(connect, delay);
}

function onLost() {
  detach(ws);
  ws = null;
  scheduleReconnect();
}

function connect() {
  clearTimeout(retryTimer);
  if (!running) return;
  detach(ws);
  setStatus(helloSeen ? 'reconnecting' : 'connecting');
  let sock;
  try {
    sock = new WebSocket(socketUrl());
  } catch {
    scheduleReconnect();
    return;
  }
  ws = sock;
  lastFrameAt = Date.now();
  let greeted = false;
  sock.onmessage = (ev) => {
    lastFrameAt = Date.now();
    greeted = true;
    let frame;
    try {
      frame = JSON.parse(ev.data);
    } catch {
      return;
    }
    handleFrame(frame);
  };
  sock.onclose = (ev) => {
    if (ws !== sock) return;
    if (ev.code === 4401) {
      // This device was logged out (elsewhere) while connected: no point in retrying.
      stop();
      emit('socket:unauthorized');
      return;
    }
    // A bad token is refused before the upgrade with an HTTP 401, which a browser
    // reports only as a failed socket: the app asks the API whether we are still in.
    if (!greeted) emit('socket:rejected');
    onLost();
  };
  sock.onerror = () => {
    if (ws !== sock) return;
    if (!greeted) emit('socket:rejected');
    onLost();
  };
}

function heartbeat() {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (Date.now() - lastFrameAt > Math.max(SILENCE_LIMIT_MS, pingEveryMs * 2.5)) {
    onLost(); // the socket looks alive but nothing comes through: start over
    return;
  }
  send({ type: 'ping' });
}

export function start() {
  if (running) return;
  running = true;
  helloSeen = false;
  attempt = 0;
  connect();
  pingTimer = setInterval(heartbeat, pingEveryMs);
  window.addEventListener('online', reconnectNow);
}

export function stop() {
  running = false;
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  window.removeEventListener('online', reconnectNow);
  detach(ws);
  ws = null;
}

export function reconnectNow() {
  if (!running) return;
  if (ws && ws.readyState === WebSocket.OPEN) return;
  attempt = 0;
  connect();
}

// For tests and the "reconnect" button: drop the socket as a network failure would.
export function dropConnection() {
  if (ws) onLost();
}
