// Turns a channel's loaded messages into DOM: day dividers, author groups,
// the "new messages" line, and read receipts under the last message each member read.

import { displayName, state } from './store.js';
import { avatar, messageElement, sameGroup } from './render.js';
import { formatDay, h } from './util.js';

// For each member other than me: the seq of the last loaded message they have read.
function receiptsBySeq(msgs, members, hasMoreBefore) {
  const out = new Map();
  if (!msgs.length) return out;
  const first = msgs[0].seq;
  for (const m of members.values()) {
    if (!m.user || (state.me && m.user.id === state.me.id)) continue;
    const pointer = Number(m.last_read_seq || 0);
    if (pointer <= 0 || (hasMoreBefore && pointer < first)) continue;
    let at = null;
    for (let i = msgs.length - 1; i >= 0; i -= 1) {
      if (msgs[i].seq <= pointer) {
        at = msgs[i].seq;
        break;
      }
    }
    if (at === null) continue;
    if (!out.has(at)) out.set(at, []);
    out.get(at).push(m.user);
  }
  return out;
}

function receiptsRow(users) {
  const names = users.map(displayName).join(', ');
  return h(
    'div',
    { class: 'receipts', role: 'img', 'aria-label': `Seen by ${names}`, title: `Seen by ${names}` },
    users.slice(0, 8).map((u) => avatar(u, 'xs', { title: `${displayName(u)} has read up to here` })),
    users.length > 8 ? h('span', { class: 'more', text: `+${users.length - 8}` }) : null,
  );
}

// view: {msgs, pending, members, hasMoreBefore, unreadAfterSeq}; onAction for menus.
export function buildTimeline(view, onAction) {
  const nodes = [];
  const receipts = receiptsBySeq(view.msgs, view.members, view.hasMoreBefore);
  let prev = null;
  let lineDrawn = false;
  const all = [...view.msgs, ...view.pending];
  for (const msg of all) {
    const day = new Date(msg.created_at).toDateString();
    if (!prev || new Date(prev.created_at).toDateString() !== day) {
      nodes.push(
        h(
          'div',
          { class: 'day-divider', role: 'separator' },
          h('span', { text: formatDay(msg.created_at) }),
        ),
      );
      prev = null;
    }
    let unreadLine = false;
    if (
      !lineDrawn &&
      view.unreadAfterSeq !== null &&
      typeof msg.seq === 'number' &&
      msg.seq > view.unreadAfterSeq &&
      !(state.me && msg.author && msg.author.id === state.me.id)
    ) {
      lineDrawn = true;
      unreadLine = true;
      nodes.push(
        h(
          'div',
          { class: 'unread-line', role: 'separator', id: 'unread-line' },
          h('span', { text: 'New messages' }),
        ),
      );
    }
    const grouped = !unreadLine && sameGroup(prev, msg);
    nodes.push(messageElement(msg, { grouped, context: 'channel', onAction }));
    const readers = typeof msg.seq === 'number' ? receipts.get(msg.seq) : null;
    if (readers && readers.length) nodes.push(receiptsRow(readers));
    prev = msg;
  }
  return nodes;
}
