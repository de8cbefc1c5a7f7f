// Search box with operator help, the results panel with highlighted terms,
// the Mentions view, and jumping from a result to the message in context.

import { api } from './api.js';
import { position } from './emoji.js';
import { closePanel, showPanel } from './panel.js';
import { avatar, renderHighlighted, renderText } from './render.js';
import { channelTitle, displayName, emit, rememberUser, state } from './store.js';
import { openThread } from './threads.js';
import { errorText, formatFull, h } from './util.js';

const OPERATORS = [
  ['from:@bob', 'messages written by bob'],
  ['in:#general', 'in one channel'],
  ['"exact phrase"', 'words in this order'],
  ['deploy*', 'words starting with deploy'],
  ['-word', 'leave out messages with word'],
  ['before:2026-01-31', 'sent before a day'],
  ['after:2026-01-01', 'sent after a day'],
  ['on:2026-01-15', 'sent on a day'],
  ['has:link', 'containing a link'],
  ['has:reaction', 'with reactions'],
  ['is:thread', 'thread replies and roots'],
  ['mentions:@me', 'mentioning you'],
];

let input = null;
let helpEl = null;

export function searchBox() {
  input = h('input', {
    type: 'search',
    class: 'search-input',
    name: 'q',
    placeholder: 'Search messages',
    'aria-label': 'Search messages',
    autocomplete: 'off',
  });
  const helpBtn = h('button', {
    type: 'button',
    class: 'icon',
    'aria-label': 'Search operators help',
    'aria-expanded': 'false',
    title: 'Search operators',
    text: '?',
  });
  helpBtn.addEventListener('click', () => toggleHelp(helpBtn));
  const form = h(
    'form',
    { class: 'search-form', role: 'search' },
    input,
    helpBtn,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = input.value.trim();
    if (q) runSearch(q);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      input.value = '';
      closeHelp(helpBtn);
    }
  });
  return form;
}

export function focusSearch() {
  input?.focus();
  input?.select();
}

function closeHelp(btn) {
  if (helpEl) helpEl.remove();
  helpEl = null;
  btn.setAttribute('aria-expanded', 'false');
}

function toggleHelp(btn) {
  if (helpEl) return closeHelp(btn);
  helpEl = h(
    'div',
    { class: 'popover search-help', role: 'dialog', 'aria-label': 'Search operators' },
    h('p', { class: 'muted small', text: 'Combine words with these. Click one to add it.' }),
    h(
      'ul',
      {},
      OPERATORS.map(([op, what]) =>
        h(
          'li',
          {},
          h('button', {
            type: 'button',
            class: 'link code',
            text: op,
            onclick: () => {
              input.value = `${input.value.trim()} ${op}`.trim();
              closeHelp(btn);
              input.focus();
            },
          }),
          h('span', { class: 'muted', text: ` ${what}` }),
        ),
      ),
    ),
  );
  helpEl.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      closeHelp(btn);
      btn.focus();
    }
  });
  document.body.append(helpEl);
  position(helpEl, btn);
  btn.setAttribute('aria-expanded', 'true');
  helpEl.querySelector('button').focus();
}

// Open the message in its channel, scrolled to it (threads open their panel).
export async function jumpTo(msg) {
  try {
    if (msg.thread_root_id) {
      const root = await api.message(msg.thread_root_id);
      emit('navigate', { cid: msg.channel_id, aroundSeq: root.seq, highlightId: root.id });
      openThread(root);
    } else {
      emit('navigate', { cid: msg.channel_id, aroundSeq: msg.seq, highlightId: msg.id });
      if (window.matchMedia('(max-width: 900px)').matches) closePanel();
    }
  } catch (err) {
    emit('toast', `Could not open the message: ${errorText(err)}`);
  }
}

function resultItem(msg, highlights) {
  rememberUser(msg.author);
  const channel = state.channels.get(msg.channel_id);
  const where = channel ? channelTitle(channel) : 'a channel';
  const text = h('div', { class: 'result-text' });
  if (highlights) text.append(renderHighlighted(msg.text, highlights));
  else text.append(renderText(msg.text, msg.mentions));
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: 'result',
        'aria-label': `Message from ${displayName(msg.author)} in ${where}, ${formatFull(msg.created_at)}. Open in context.`,
        dataset: { id: msg.id, channelId: msg.channel_id, seq: msg.seq },
        onclick: () => jumpTo(msg),
      },
      h(
        'div',
        { class: 'result-head' },
        avatar(msg.author, 'xs'),
        h('strong', { text: displayName(msg.author) }),
        h('span', { class: 'muted', text: ` in ${where}${msg.thread_root_id ? ' (thread)' : ''}` }),
        h('time', { class: 'muted small', datetime: msg.created_at, text: formatFull(msg.created_at) }),
      ),
      text,
    ),
  );
}

// The query as typed, quoted once: a query with its own "phrase" quotes gets no more.
function quotedQuery(q) {
  const text = /["“”]/.test(q) ? q : `“${q}”`;
  return h('span', { class: 'search-query', text });
}

export async function runSearch(q) {
  if (input && input.value.trim() !== q) input.value = q;
  const summary = h('p', { class: 'muted', role: 'status', text: 'Searching…' });
  const notes = h('ul', { class: 'search-notes' });
  const list = h('ul', { class: 'results', 'aria-label': 'Search results' });
  const more = h('button', { type: 'button', class: 'load-more', hidden: true, text: 'Load more results' });
  showPanel('search', 'Search', h('div', { class: 'search-results' }, summary, notes, list, more));
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    try {
      const res = await api.search(state.workspace.id, q, cursor);
      for (const hit of res.hits || []) list.append(resultItem(hit.message, hit.highlights || []));
      notes.replaceChildren(...(res.notes || []).map((n) => h('li', { class: 'muted small', text: n })));
      const total = res.total ?? list.childElementCount;
      summary.replaceChildren(
        total ? `${total} ${total === 1 ? 'result' : 'results'} for ` : 'No messages match ',
        quotedQuery(q),
        total ? '' : '.',
      );
      cursor = res.next_cursor || null;
      more.hidden = !cursor;
    } catch (err) {
      summary.replaceChildren(h('span', { class: 'form-error', role: 'alert', text: errorText(err) }));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', load);
  await load();
}

export async function openMentions() {
  const summary = h('p', { class: 'muted', role: 'status', text: 'Loading mentions…' });
  const list = h('ul', { class: 'results', 'aria-label': 'Mentions' });
  const more = h('button', { type: 'button', class: 'load-more', hidden: true, text: 'Load older mentions' });
  showPanel('mentions', 'Mentions', h('div', { class: 'search-results' }, summary, list, more));
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    try {
      const res = await api.mentions(state.workspace.id, cursor);
      for (const m of res.messages || []) list.append(resultItem(m, null));
      summary.textContent = list.childElementCount
        ? 'Messages that mention you, newest first.'
        : 'Nobody has mentioned you yet.';
      cursor = res.next_cursor || null;
      more.hidden = !cursor;
    } catch (err) {
      summary.replaceChildren(h('span', { class: 'form-error', role: 'alert', text: errorText(err) }));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', load);
  await load();
}
