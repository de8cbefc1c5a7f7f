// Building message DOM: text with mentions and links, reactions, avatars.
// Only textContent and safe attributes are used for anything a user wrote.

import {
  defaultAvatar,
  displayName,
  rememberUser,
  state,
  userById,
} from './store.js';
import { renderFormatted } from './format.js';
import { formatFull, formatTime, h, safeHttpUrl } from './util.js';

export function avatarUrl(user) {
  if (!user) return '';
  const raw = user.avatar_url;
  if (raw && (raw.startsWith('/') || safeHttpUrl(raw))) {
    return raw.startsWith('/') && !raw.startsWith('//') ? raw : safeHttpUrl(raw);
  }
  return defaultAvatar(user.id);
}

export function avatar(user, size = 'md', extra = {}) {
  const img = h('img', {
    class: `avatar ${size}`,
    src: avatarUrl(user),
    alt: extra.alt ?? '',
    title: extra.title ?? displayName(user),
    loading: 'lazy',
    referrerpolicy: 'no-referrer',
    dataset: { userId: user ? user.id : '' },
  });
  img.addEventListener('error', () => {
    const fallback = defaultAvatar(user.id);
    if (!img.src.endsWith(fallback)) img.src = fallback;
    else img.classList.add('broken');
  });
  return img;
}

export function presenceDot(presence) {
  const p = presence || 'offline';
  return h('span', { class: `presence ${p}`, role: 'img', 'aria-label': p, title: p });
}

// Message text: formatting, mention spans as chips, http(s) URLs as links.
export function renderText(text, mentions) {
  return renderFormatted(text || '', mentions || [], mentionChip, { atomic: true });
}

function mentionChip(text, m) {
  const me = state.me && ((m.kind === 'user' && m.user_id === state.me.id) || m.kind !== 'user');
  const chip = h('span', { class: `mention${me ? ' me' : ''}`, text });
  if (m.kind === 'user' && m.user_id) {
    const u = userById(m.user_id);
    chip.title = `${displayName(u)} (@${u.username})`;
  }
  return chip;
}

// Search hits: highlight spans are [start, end] code-point pairs into the raw text, so
// they are cut from the same parse as the formatting and mark the right characters.
export function renderHighlighted(text, highlights) {
  const spans = (highlights || []).map(([start, end]) => ({ start, end }));
  return renderFormatted(text || '', spans, (t) => h('mark', { text: t }), { links: false });
}

export function reactionsRow(msg, onToggle, onAdd) {
  const row = h('div', { class: 'reactions', role: 'group', 'aria-label': 'Reactions' });
  for (const r of msg.reactions || []) {
    if (!r.count) continue;
    const mine = state.me && (r.user_ids || []).includes(state.me.id);
    const users = (r.user_ids || []).map(userById);
    const names = users.map(displayName).join(', ');
    const chip = h(
      'button',
      {
        type: 'button',
        class: `reaction${mine ? ' mine' : ''}`,
        'aria-pressed': mine ? 'true' : 'false',
        'aria-label': `${r.emoji} ${r.count}: ${names}. ${mine ? 'Remove your reaction' : 'React too'}`,
        title: `${names} reacted with ${r.emoji}`,
        dataset: { emoji: r.emoji },
        onclick: () => onToggle(r.emoji, mine),
      },
      h('span', { class: 'emoji', text: r.emoji }),
      h('span', { class: 'count', text: String(r.count) }),
      h(
        'span',
        { class: 'reactors' },
        users.slice(0, 4).map((u) => avatar(u, 'xs')),
        users.length > 4 ? h('span', { class: 'more', text: `+${users.length - 4}` }) : null,
      ),
    );
    row.append(chip);
  }
  if (row.childElementCount && onAdd) {
    row.append(
      h('button', {
        type: 'button',
        class: 'reaction add',
        'aria-label': 'Add reaction',
        title: 'Add reaction',
        text: '☺+',
        onclick: (ev) => onAdd(ev.currentTarget),
      }),
    );
  }
  return row;
}

// One message. opts: {grouped, context: 'channel'|'thread', onAction(action, msg, el)}
export function messageElement(msg, opts = {}) {
  const author = rememberUser(msg.author) || userById('');
  const own = state.me && author.id === state.me.id;
  const prefix = opts.context === 'thread' ? 'thr' : 'msg';
  const classes = ['msg'];
  if (opts.grouped) classes.push('grouped');
  if (own) classes.push('own');
  if (msg.deleted) classes.push('deleted');
  if (msg.pending) classes.push('pending');
  if (msg.kind === 'system') classes.push('system');
  if (msg.kind === 'action') classes.push('action');
  const el = h('div', {
    class: classes.join(' '),
    id: msg.id ? `${prefix}-${msg.id}` : undefined,
    role: 'article',
    tabindex: '-1',
    'aria-label': `${displayName(author)}, ${formatFull(msg.created_at)}`,
    dataset: { id: msg.id || '', seq: msg.seq ?? '', authorId: author.id || '' },
  });
  const act = (action) => (ev) => opts.onAction && opts.onAction(action, msg, ev.currentTarget);

  if (msg.kind === 'system') {
    el.append(h('div', { class: 'system-text', text: msg.text }));
    return el;
  }

  const time = h('time', {
    datetime: msg.created_at,
    title: formatFull(msg.created_at),
    text: formatTime(msg.created_at),
  });
  el.append(opts.grouped ? h('div', { class: 'gutter' }, time) : avatar(author, 'md', { alt: '' }));

  const body = h('div', { class: 'msg-body' });
  if (!opts.grouped) {
    body.append(
      h(
        'div',
        { class: 'msg-head' },
        h('span', { class: 'author', text: displayName(author) }),
        time,
      ),
    );
  }
  const textEl = h('div', { class: 'msg-text' });
  if (msg.deleted) {
    textEl.append(h('em', { class: 'muted', text: 'This message was deleted.' }));
  } else if (msg.kind === 'action') {
    textEl.append(h('em', {}, `${displayName(author)} `, renderText(msg.text, msg.mentions)));
  } else {
    textEl.append(renderText(msg.text, msg.mentions));
  }
  if (msg.edited_at && !msg.deleted) {
    textEl.append(' ', h('span', { class: 'edited', title: formatFull(msg.edited_at), text: '(edited)' }));
  }
  body.append(textEl);
  if (msg.pending) {
    body.append(h('div', { class: 'muted small', role: 'status', text: 'Sending…' }));
  }
  if (!msg.deleted && !msg.pending) {
    body.append(
      reactionsRow(
        msg,
        (emoji, mine) => opts.onAction && opts.onAction(mine ? 'unreact' : 'react', msg, null, emoji),
        (anchor) => opts.onAction && opts.onAction('pick-reaction', msg, anchor),
      ),
    );
  }
  if (opts.context !== 'thread' && msg.reply_count > 0 && !msg.thread_root_id) {
    body.append(
      h('button', {
        type: 'button',
        class: 'link thread-link',
        text: `${msg.reply_count} ${msg.reply_count === 1 ? 'reply' : 'replies'}`,
        'aria-label': `Open thread, ${msg.reply_count} replies`,
        onclick: act('thread'),
      }),
    );
  }
  el.append(body);

  if (!msg.deleted && !msg.pending && msg.id) {
    el.append(
      h(
        'div',
        { class: 'msg-actions', role: 'toolbar', 'aria-label': 'Message actions' },
        h('button', {
          type: 'button',
          class: 'icon',
          'aria-label': 'Add reaction',
          title: 'Add reaction',
          text: '☺',
          onclick: act('pick-reaction'),
        }),
        opts.context !== 'thread'
          ? h('button', {
              type: 'button',
              class: 'icon',
              'aria-label': 'Reply in thread',
              title: 'Reply in thread',
              text: '↪',
              onclick: act('thread'),
            })
          : null,
        h('button', {
          type: 'button',
          class: 'icon menu-btn',
          'aria-label': 'More actions',
          title: 'More actions',
          'aria-haspopup': 'menu',
          text: '⋯',
          onclick: act('menu'),
        }),
      ),
    );
  } else if (msg.deleted && msg.id) {
    el.append(
      h(
        'div',
        { class: 'msg-actions', role: 'toolbar', 'aria-label': 'Message actions' },
        h('button', {
          type: 'button',
          class: 'icon menu-btn',
          'aria-label': 'More actions',
          'aria-haspopup': 'menu',
          text: '⋯',
          onclick: act('menu'),
        }),
      ),
    );
  }
  return el;
}

// True when `b` may sit under `a` without repeating the author line.
export function sameGroup(a, b) {
  if (!a || !b) return false;
  if (a.kind === 'system' || b.kind === 'system') return false;
  if (!a.author || !b.author || a.author.id !== b.author.id) return false;
  const gap = new Date(b.created_at) - new Date(a.created_at);
  if (!(gap >= 0 && gap < 5 * 60 * 1000)) return false;
  return new Date(a.created_at).toDateString() === new Date(b.created_at).toDateString();
}
